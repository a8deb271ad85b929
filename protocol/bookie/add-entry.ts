// ADD_ENTRY / ADD_ENTRY_RESPONSE: store one entry of a ledger on a bookie.
//   ADD_ENTRY (0x0101)           flags: 0x0001 RECOVERY (a recovery add, accepted by a fenced bookie)
//     body = ledgerId:u64be entryId:u64be lac:i64be crc32c:u32be payload:bytes     (payload = rest of the frame)
//   ADD_ENTRY_RESPONSE (0x0102)  flags: 0
//     body = status:u16be ledgerId:u64be entryId:u64be
// lac is the writer's last-add-confirmed, −1 for none. crc32c is entryChecksum(payload); decodeAddEntry verifies it.
// A bookie answers OK only after the entry is journaled and synced; a re-add of identical bytes is OK too.
import { Command } from '../command.js';
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { writeLac, writeU64 } from '../wire-writer.js';
import type { BookieStatusCode } from './bookie-status.js';
import { entryChecksum, verifyEntryChecksum } from './entry-checksum.js';
import { readStatus } from './read-status.js';

export const AddEntryFlag = { RECOVERY: 0x0001 } as const;

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;
const ADD_FIXED = 8 + 8 + 8 + 4;
const RESPONSE_FIXED = 2 + 8 + 8;

export interface AddEntry {
  ledgerId: number;
  entryId: number;
  /** The writer's last-add-confirmed, −1 for none. */
  lac: number;
  recovery: boolean;
  /** CRC32C of payload. */
  crc: number;
  payload: Buffer;
}

/** What a writer passes: `crc` may be given when already computed (one entry goes to several bookies). */
export type AddEntryInput = Omit<AddEntry, 'crc' | 'recovery'> & { crc?: number; recovery?: boolean };

export interface AddEntryResponse {
  status: BookieStatusCode;
  ledgerId: number;
  entryId: number;
}

/** Returns `[head, payload]`; payload is not copied. */
export function encodeAddEntry(requestId: number, add: AddEntryInput): Buffer[] {
  const flags = add.recovery === true ? AddEntryFlag.RECOVERY : 0;
  const head = allocFrameHead(Command.ADD_ENTRY, flags, requestId, ADD_FIXED, add.payload.length);
  writeU64(head, HEAD, add.ledgerId, 'ledgerId');
  writeU64(head, HEAD + 8, add.entryId, 'entryId');
  writeLac(head, HEAD + 16, add.lac, 'lac');
  head.writeUInt32BE(add.crc ?? entryChecksum(add.payload), HEAD + 24);
  return add.payload.length === 0 ? [head] : [head, add.payload];
}

/** Decodes and verifies the checksum (ChecksumMismatchError); `payload` aliases the frame body. */
export function decodeAddEntry(frame: Frame): AddEntry {
  const r = readerFor(frame, Command.ADD_ENTRY, AddEntryFlag.RECOVERY, 'ADD_ENTRY');
  const ledgerId = r.u64('ledgerId');
  const entryId = r.u64('entryId');
  const lac = r.lac('lac');
  const crc = r.u32();
  const payload = r.bytes(r.remaining);
  verifyEntryChecksum(ledgerId, entryId, payload, crc);
  return { ledgerId, entryId, lac, recovery: (frame.flags & AddEntryFlag.RECOVERY) !== 0, crc, payload };
}

export function encodeAddEntryResponse(requestId: number, res: AddEntryResponse): Buffer[] {
  const buf = allocFrameHead(Command.ADD_ENTRY_RESPONSE, 0, requestId, RESPONSE_FIXED, 0);
  buf.writeUInt16BE(res.status, HEAD);
  writeU64(buf, HEAD + 2, res.ledgerId, 'ledgerId');
  writeU64(buf, HEAD + 10, res.entryId, 'entryId');
  return [buf];
}

export function decodeAddEntryResponse(frame: Frame): AddEntryResponse {
  const r = readerFor(frame, Command.ADD_ENTRY_RESPONSE, 0, 'ADD_ENTRY_RESPONSE');
  const status = readStatus(r);
  const ledgerId = r.u64('ledgerId');
  const entryId = r.u64('entryId');
  r.end();
  return { status, ledgerId, entryId };
}
