// FENCE / FENCE_RESPONSE: fence a ledger on a bookie so that its old writer can no longer add to it.
//   FENCE (0x0107)           flags: 0
//     body = ledgerId:u64be
//   FENCE_RESPONSE (0x0108)  flags: 0
//     body = status:u16be ledgerId:u64be lac:i64be
// Contract: OK only once the fence is durable (journaled) and every add received earlier for the ledger is synced;
// from then on normal adds get FENCED, recovery adds are accepted. Fencing is idempotent and never undone.
// lac is the bookie's known LAC (−1 for none), where recovery starts reading.
import { Command } from '../command.js';
import type { Frame } from '../frame.js';
import { decodeLacResponse, encodeLacResponse, type LacResponse } from './lac-response.js';
import { decodeLedgerIdRequest, encodeLedgerIdRequest } from './ledger-id-request.js';

export interface FenceRequest {
  ledgerId: number;
}

export type FenceResponse = LacResponse;

export function encodeFence(requestId: number, req: FenceRequest): Buffer[] {
  return encodeLedgerIdRequest(Command.FENCE, requestId, req.ledgerId);
}

export function decodeFence(frame: Frame): FenceRequest {
  return { ledgerId: decodeLedgerIdRequest(frame, Command.FENCE, 'FENCE') };
}

export function encodeFenceResponse(requestId: number, res: FenceResponse): Buffer[] {
  return encodeLacResponse(Command.FENCE_RESPONSE, requestId, res);
}

export function decodeFenceResponse(frame: Frame): FenceResponse {
  return decodeLacResponse(frame, Command.FENCE_RESPONSE, 'FENCE_RESPONSE');
}
