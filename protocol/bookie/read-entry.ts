// READ_ENTRY / READ_ENTRY_RESPONSE: read one entry, or a run of consecutive entries, of a ledger.
//   READ_ENTRY (0x0103)           flags: 0
//     body = ledgerId:u64be firstEntryId:u64be lastEntryId:u64be maxBytes:u32be      (first ≤ last; single read: first = last)
//   READ_ENTRY_RESPONSE (0x0104)  flags: 0
//     body  = status:u16be ledgerId:u64be lac:i64be count:u32be entry{count}
//     entry = entryId:u64be crc32c:u32be length:u32be payload:bytes(length)
// Contract: with OK the entries are consecutive from firstEntryId (count ≥ 1): the bookie stops at the first entry it
// lacks, at lastEntryId, or before the encoded entries (READ_ENTRY_OVERHEAD + payload each) would pass maxBytes —
// but always returns the first. Any other status carries no entries. lac is the bookie's known LAC (−1 for none).
// decodeReadEntryResponse verifies every entry's checksum (ChecksumMismatchError).
import { Command } from '../command.js';
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { writeLac, writeU64 } from '../wire-writer.js';
import { BookieStatus, type BookieStatusCode } from './bookie-status.js';
import { verifyEntryChecksum } from './entry-checksum.js';
import { readStatus } from './read-status.js';

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;
const REQUEST_FIXED = 8 + 8 + 8 + 4;
const RESPONSE_FIXED = 2 + 8 + 8 + 4;
/** Bytes each entry of a READ_ENTRY_RESPONSE takes besides its payload. */
export const READ_ENTRY_OVERHEAD = 8 + 4 + 4;

export interface ReadEntryRequest {
  ledgerId: number;
  firstEntryId: number;
  lastEntryId: number;
  /** Budget for the encoded entries of the response; the first entry is returned even if it alone exceeds it. */
  maxBytes: number;
}

export interface LedgerEntry {
  entryId: number;
  /** CRC32C of payload, as stored by the bookie. */
  crc: number;
  payload: Buffer;
}

export interface ReadEntryResponse {
  status: BookieStatusCode;
  ledgerId: number;
  /** The bookie's known last-add-confirmed of the ledger, −1 for none. */
  lac: number;
  entries: LedgerEntry[];
}

export function encodeReadEntry(requestId: number, req: ReadEntryRequest): Buffer[] {
  if (req.lastEntryId < req.firstEntryId) throw new RangeError(`lastEntryId ${req.lastEntryId} < firstEntryId ${req.firstEntryId}`);
  const buf = allocFrameHead(Command.READ_ENTRY, 0, requestId, REQUEST_FIXED, 0);
  writeU64(buf, HEAD, req.ledgerId, 'ledgerId');
  writeU64(buf, HEAD + 8, req.firstEntryId, 'firstEntryId');
  writeU64(buf, HEAD + 16, req.lastEntryId, 'lastEntryId');
  buf.writeUInt32BE(req.maxBytes, HEAD + 24);
  return [buf];
}

export function decodeReadEntry(frame: Frame): ReadEntryRequest {
  const r = readerFor(frame, Command.READ_ENTRY, 0, 'READ_ENTRY');
  const ledgerId = r.u64('ledgerId');
  const firstEntryId = r.u64('firstEntryId');
  const lastEntryId = r.u64('lastEntryId');
  const maxBytes = r.u32();
  r.end();
  if (lastEntryId < firstEntryId) r.fail(`lastEntryId ${lastEntryId} < firstEntryId ${firstEntryId}`);
  return { ledgerId, firstEntryId, lastEntryId, maxBytes };
}

/** Returns `[head, entryHead₀, payload₀, entryHead₁, payload₁, …]`; payloads are not copied. */
export function encodeReadEntryResponse(requestId: number, res: ReadEntryResponse): Buffer[] {
  const { entries } = res;
  const count = entries.length;
  if ((res.status === BookieStatus.OK) !== count > 0) throw new RangeError('OK carries at least one entry, other statuses none');
  let payloadBytes = 0;
  for (let i = 0; i < count; i++) payloadBytes += entries[i].payload.length;
  const trailing = count * READ_ENTRY_OVERHEAD + payloadBytes;
  const head = allocFrameHead(Command.READ_ENTRY_RESPONSE, 0, requestId, RESPONSE_FIXED, trailing);
  head.writeUInt16BE(res.status, HEAD);
  writeU64(head, HEAD + 2, res.ledgerId, 'ledgerId');
  writeLac(head, HEAD + 10, res.lac, 'lac');
  head.writeUInt32BE(count, HEAD + 18);
  const out: Buffer[] = [head];
  if (count === 0) return out;
  const heads = Buffer.allocUnsafe(count * READ_ENTRY_OVERHEAD);
  for (let i = 0; i < count; i++) {
    const e = entries[i];
    if (i > 0 && e.entryId !== entries[i - 1].entryId + 1) throw new RangeError('entries must be consecutive');
    const off = i * READ_ENTRY_OVERHEAD;
    writeU64(heads, off, e.entryId, 'entryId');
    heads.writeUInt32BE(e.crc >>> 0, off + 8);
    heads.writeUInt32BE(e.payload.length, off + 12);
    out.push(heads.subarray(off, off + READ_ENTRY_OVERHEAD));
    if (e.payload.length > 0) out.push(e.payload);
  }
  return out;
}

/** Decodes and verifies every entry's checksum; payloads alias the frame body. */
export function decodeReadEntryResponse(frame: Frame): ReadEntryResponse {
  const r = readerFor(frame, Command.READ_ENTRY_RESPONSE, 0, 'READ_ENTRY_RESPONSE');
  const status = readStatus(r);
  const ledgerId = r.u64('ledgerId');
  const lac = r.lac('lac');
  const count = r.u32();
  if ((status === BookieStatus.OK) !== count > 0) r.fail(`status ${status} with ${count} entries`);
  if (count * READ_ENTRY_OVERHEAD > r.remaining) r.fail(`${count} entries cannot fit in ${r.remaining} bytes`);
  const entries: LedgerEntry[] = new Array<LedgerEntry>(count);
  for (let i = 0; i < count; i++) {
    const entryId = r.u64('entryId');
    if (i > 0 && entryId !== entries[i - 1].entryId + 1) r.fail(`entry ${entryId} does not follow ${entries[i - 1].entryId}`);
    const crc = r.u32();
    const payload = r.bytes(r.u32());
    verifyEntryChecksum(ledgerId, entryId, payload, crc);
    entries[i] = { entryId, crc, payload };
  }
  r.end();
  return { status, ledgerId, lac, entries };
}
