// Journal records and their encoding. Every record is
//
//   length:u32be | crc32c:u32be | type:u8 | body            (length = 1 + body length)
//
// with the crc over type+body. Bodies (ids are u64be, always safe integers):
//   1 ADD_ENTRY      ledgerId | entryId | payload (the rest)
//   2 FENCE          ledgerId
//   3 DELETE_LEDGER  ledgerId
// Type 0 is never valid (so zero-filled space never parses); new types take new numbers, and a
// reader meeting a type it does not know refuses rather than skips.
import { crc32c } from '@node-rs/crc32';
import { crc32cCombine } from './crc32c-combine.js';
import { InvalidJournalRecordError } from './errors.js';
import { readU64, writeU64 } from './journal-file-header.js';

/** An entry added to a ledger. `payload` is written as is: never copied, never modified. */
export interface AddEntryRecord {
  readonly type: 'addEntry';
  readonly ledgerId: number;
  readonly entryId: number;
  readonly payload: Buffer;
  /**
   * crc32c of `payload` when the caller already checked it against the bytes (the bookie verifies the
   * writer's entry checksum on receipt): the record's checksum is then derived from it instead of
   * hashing the payload a second time. It must be right: replay hashes what is on disk.
   */
  readonly payloadCrc?: number;
}

/** A ledger was fenced: from now on the bookie rejects its normal adds (survives restarts). */
export interface FenceRecord {
  readonly type: 'fence';
  readonly ledgerId: number;
}

/** A ledger was deleted from this bookie. */
export interface DeleteLedgerRecord {
  readonly type: 'deleteLedger';
  readonly ledgerId: number;
}

export type JournalRecord = AddEntryRecord | FenceRecord | DeleteLedgerRecord;

export const RECORD_TYPE = { addEntry: 1, fence: 2, deleteLedger: 3 } as const;

/** length + crc. */
export const RECORD_PREFIX_BYTES = 8;
/** The largest `length` field a record may have (type + body). */
export const MAX_RECORD_LENGTH = 64 * 1024 * 1024;

const ADD_ENTRY_FIXED = RECORD_PREFIX_BYTES + 1 + 16;
const LEDGER_ONLY = RECORD_PREFIX_BYTES + 1 + 8;

/**
 * Checks `record` and returns the bytes it takes in a journal file. Throws
 * InvalidJournalRecordError for an unknown type, ids that are not non-negative safe integers, or
 * a payload over the record limit. Call it before encodeRecord, which trusts its input.
 */
export function checkRecord(record: JournalRecord): number {
  checkId('ledgerId', record.ledgerId);
  if (record.type === 'addEntry') {
    checkId('entryId', record.entryId);
    if (!Buffer.isBuffer(record.payload)) throw new InvalidJournalRecordError('ADD_ENTRY payload must be a Buffer');
    if (1 + 16 + record.payload.length > MAX_RECORD_LENGTH) {
      throw new InvalidJournalRecordError(`payload of ${record.payload.length} bytes exceeds the journal record limit`);
    }
    return ADD_ENTRY_FIXED + record.payload.length;
  }
  if (RECORD_TYPE[record.type] === undefined) {
    throw new InvalidJournalRecordError(`unknown journal record type ${String((record as { type: unknown }).type)}`);
  }
  return LEDGER_ONLY;
}

/**
 * Encodes a record that passed checkRecord by pushing its buffers onto `out`: a small header
 * buffer, then for ADD_ENTRY the caller's payload itself (not copied). The crc32c covers the
 * payload: combined from its known checksum (payloadCrc), or by continuing the header's crc over it,
 * so the payload is read at most once here.
 */
export function encodeRecord(record: JournalRecord, out: Buffer[]): void {
  let head: Buffer;
  if (record.type === 'addEntry') {
    const payload = record.payload;
    head = Buffer.allocUnsafe(ADD_ENTRY_FIXED);
    head.writeUInt32BE(1 + 16 + payload.length, 0);
    head[8] = RECORD_TYPE.addEntry;
    writeU64(head, 9, record.ledgerId);
    writeU64(head, 17, record.entryId);
    const headCrc = crc32c(head.subarray(8));
    head.writeUInt32BE(record.payloadCrc === undefined ? crc32c(payload, headCrc) : crc32cCombine(headCrc, record.payloadCrc, payload.length), 4);
    out.push(head);
    if (payload.length > 0) out.push(payload);
    return;
  }
  head = Buffer.allocUnsafe(LEDGER_ONLY);
  head.writeUInt32BE(1 + 8, 0);
  head[8] = RECORD_TYPE[record.type];
  writeU64(head, 9, record.ledgerId);
  head.writeUInt32BE(crc32c(head.subarray(8)), 4);
  out.push(head);
}

/**
 * The outcome of reading the record that starts at an offset:
 * - `ok`: the record and the offset just past it;
 * - `bad`: too short, an impossible length or a checksum mismatch: torn or damaged bytes;
 * - `unknown`: the checksum holds but the content is not understood (unknown type, wrong body
 *   size, ids out of range): written by something else, so never cut silently.
 */
export type RecordRead =
  | { readonly kind: 'ok'; readonly record: JournalRecord; readonly end: number }
  | { readonly kind: 'bad' | 'unknown'; readonly reason: string };

/** Reads the record at `offset` of `data` (a whole file). The payload is a view into `data`. */
export function readRecord(data: Buffer, offset: number): RecordRead {
  const remaining = data.length - offset;
  if (remaining < RECORD_PREFIX_BYTES + 1) return { kind: 'bad', reason: `only ${remaining} bytes left, less than a record` };
  const length = data.readUInt32BE(offset);
  if (length < 1 || length > MAX_RECORD_LENGTH || length > remaining - RECORD_PREFIX_BYTES) {
    return { kind: 'bad', reason: `impossible record length ${length} (${remaining - RECORD_PREFIX_BYTES} bytes left)` };
  }
  const start = offset + RECORD_PREFIX_BYTES;
  const end = start + length;
  if (crc32c(data.subarray(start, end)) !== data.readUInt32BE(offset + 4)) {
    return { kind: 'bad', reason: 'record checksum mismatch' };
  }
  const type = data[start];
  const bodyLength = length - 1;
  if (type === RECORD_TYPE.addEntry) {
    if (bodyLength < 16) return { kind: 'unknown', reason: `ADD_ENTRY body of ${bodyLength} bytes` };
    const ledgerId = readU64(data, start + 1);
    const entryId = readU64(data, start + 9);
    if (ledgerId === undefined || entryId === undefined) return { kind: 'unknown', reason: 'ADD_ENTRY id out of range' };
    const payload = data.subarray(start + 17, end);
    return { kind: 'ok', record: { type: 'addEntry', ledgerId, entryId, payload }, end };
  }
  if (type === RECORD_TYPE.fence || type === RECORD_TYPE.deleteLedger) {
    if (bodyLength !== 8) return { kind: 'unknown', reason: `record type ${type} with a body of ${bodyLength} bytes` };
    const ledgerId = readU64(data, start + 1);
    if (ledgerId === undefined) return { kind: 'unknown', reason: 'ledger id out of range' };
    return { kind: 'ok', record: { type: type === RECORD_TYPE.fence ? 'fence' : 'deleteLedger', ledgerId }, end };
  }
  return { kind: 'unknown', reason: `unknown record type ${type}` };
}

/**
 * True when a complete, checksummed record of a known type starts at `offset`. Cheap checks come
 * first, so scanning every offset of a damaged region stays fast.
 */
export function isPlausibleRecordAt(data: Buffer, offset: number): boolean {
  if (data.length - offset < RECORD_PREFIX_BYTES + 1) return false;
  const length = data.readUInt32BE(offset);
  if (length < 1 || length > data.length - offset - RECORD_PREFIX_BYTES) return false;
  const type = data[offset + RECORD_PREFIX_BYTES];
  if (type !== RECORD_TYPE.addEntry && type !== RECORD_TYPE.fence && type !== RECORD_TYPE.deleteLedger) return false;
  return readRecord(data, offset).kind === 'ok';
}

function checkId(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidJournalRecordError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}
