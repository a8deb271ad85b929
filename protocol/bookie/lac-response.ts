// The response layout READ_LAC and FENCE share: status:u16be ledgerId:u64be lac:i64be (lac −1 = none).
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { writeLac, writeU64 } from '../wire-writer.js';
import type { BookieStatusCode } from './bookie-status.js';
import { readStatus } from './read-status.js';

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;
const FIXED = 2 + 8 + 8;

export interface LacResponse {
  status: BookieStatusCode;
  ledgerId: number;
  /** The bookie's known last-add-confirmed of the ledger, −1 for none. */
  lac: number;
}

export function encodeLacResponse(command: number, requestId: number, res: LacResponse): Buffer[] {
  const buf = allocFrameHead(command, 0, requestId, FIXED, 0);
  buf.writeUInt16BE(res.status, HEAD);
  writeU64(buf, HEAD + 2, res.ledgerId, 'ledgerId');
  writeLac(buf, HEAD + 10, res.lac, 'lac');
  return [buf];
}

export function decodeLacResponse(frame: Frame, command: number, what: string): LacResponse {
  const r = readerFor(frame, command, 0, what);
  const status = readStatus(r);
  const ledgerId = r.u64('ledgerId');
  const lac = r.lac('lac');
  r.end();
  return { status, ledgerId, lac };
}
