// DELETE_LEDGER / DELETE_LEDGER_RESPONSE: drop every entry of a ledger from a bookie.
//   DELETE_LEDGER (0x0109)           flags: 0
//     body = ledgerId:u64be
//   DELETE_LEDGER_RESPONSE (0x010A)  flags: 0
//     body = status:u16be ledgerId:u64be
// Contract: sent only after the ledger was removed from its partition's list. Idempotent: OK and NO_SUCH_LEDGER
// both mean the bookie holds nothing of the ledger any more.
import { Command } from '../command.js';
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { writeU64 } from '../wire-writer.js';
import type { BookieStatusCode } from './bookie-status.js';
import { decodeLedgerIdRequest, encodeLedgerIdRequest } from './ledger-id-request.js';
import { readStatus } from './read-status.js';

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;

export interface DeleteLedgerRequest {
  ledgerId: number;
}

export interface DeleteLedgerResponse {
  status: BookieStatusCode;
  ledgerId: number;
}

export function encodeDeleteLedger(requestId: number, req: DeleteLedgerRequest): Buffer[] {
  return encodeLedgerIdRequest(Command.DELETE_LEDGER, requestId, req.ledgerId);
}

export function decodeDeleteLedger(frame: Frame): DeleteLedgerRequest {
  return { ledgerId: decodeLedgerIdRequest(frame, Command.DELETE_LEDGER, 'DELETE_LEDGER') };
}

export function encodeDeleteLedgerResponse(requestId: number, res: DeleteLedgerResponse): Buffer[] {
  const buf = allocFrameHead(Command.DELETE_LEDGER_RESPONSE, 0, requestId, 2 + 8, 0);
  buf.writeUInt16BE(res.status, HEAD);
  writeU64(buf, HEAD + 2, res.ledgerId, 'ledgerId');
  return [buf];
}

export function decodeDeleteLedgerResponse(frame: Frame): DeleteLedgerResponse {
  const r = readerFor(frame, Command.DELETE_LEDGER_RESPONSE, 0, 'DELETE_LEDGER_RESPONSE');
  const status = readStatus(r);
  const ledgerId = r.u64('ledgerId');
  r.end();
  return { status, ledgerId };
}
