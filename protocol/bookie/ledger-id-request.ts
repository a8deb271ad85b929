// The request layout FENCE and DELETE_LEDGER share: body = ledgerId:u64be, flags 0.
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { writeU64 } from '../wire-writer.js';

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;

export function encodeLedgerIdRequest(command: number, requestId: number, ledgerId: number): Buffer[] {
  const buf = allocFrameHead(command, 0, requestId, 8, 0);
  writeU64(buf, HEAD, ledgerId, 'ledgerId');
  return [buf];
}

export function decodeLedgerIdRequest(frame: Frame, command: number, what: string): number {
  const r = readerFor(frame, command, 0, what);
  const ledgerId = r.u64('ledgerId');
  r.end();
  return ledgerId;
}
