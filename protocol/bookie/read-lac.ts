// READ_LAC / READ_LAC_RESPONSE: ask a bookie for its last-add-confirmed of a ledger, optionally long-polling.
//   READ_LAC (0x0105)           flags: 0
//     body = ledgerId:u64be previousLac:i64be timeoutMs:u32be
//   READ_LAC_RESPONSE (0x0106)  flags: 0
//     body = status:u16be ledgerId:u64be lac:i64be
// timeoutMs = 0: answer at once (previousLac is then −1). timeoutMs > 0 (long poll): answer as soon as the bookie's
// LAC exceeds previousLac, or when timeoutMs has passed, with its LAC at that moment (status OK either way).
import { Command } from '../command.js';
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { writeLac, writeU64 } from '../wire-writer.js';
import { decodeLacResponse, encodeLacResponse, type LacResponse } from './lac-response.js';

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;
const FIXED = 8 + 8 + 4;

export interface ReadLacRequest {
  ledgerId: number;
  /** Present for a long poll; `timeoutMs` ≥ 1. */
  longPoll?: { previousLac: number; timeoutMs: number };
}

export type ReadLacResponse = LacResponse;

export function encodeReadLac(requestId: number, req: ReadLacRequest): Buffer[] {
  const { longPoll } = req;
  if (longPoll !== undefined && !(longPoll.timeoutMs >= 1 && longPoll.timeoutMs <= 0xffffffff)) {
    throw new RangeError(`long-poll timeoutMs must be in [1, 2^32-1], got ${longPoll.timeoutMs}`);
  }
  const buf = allocFrameHead(Command.READ_LAC, 0, requestId, FIXED, 0);
  writeU64(buf, HEAD, req.ledgerId, 'ledgerId');
  writeLac(buf, HEAD + 8, longPoll?.previousLac ?? -1, 'previousLac');
  buf.writeUInt32BE(longPoll?.timeoutMs ?? 0, HEAD + 16);
  return [buf];
}

export function decodeReadLac(frame: Frame): ReadLacRequest {
  const r = readerFor(frame, Command.READ_LAC, 0, 'READ_LAC');
  const ledgerId = r.u64('ledgerId');
  const previousLac = r.lac('previousLac');
  const timeoutMs = r.u32();
  r.end();
  if (timeoutMs > 0) return { ledgerId, longPoll: { previousLac, timeoutMs } };
  if (previousLac !== -1) r.fail(`previousLac ${previousLac} without a long-poll timeout`);
  return { ledgerId };
}

export function encodeReadLacResponse(requestId: number, res: ReadLacResponse): Buffer[] {
  return encodeLacResponse(Command.READ_LAC_RESPONSE, requestId, res);
}

export function decodeReadLacResponse(frame: Frame): ReadLacResponse {
  return decodeLacResponse(frame, Command.READ_LAC_RESPONSE, 'READ_LAC_RESPONSE');
}
