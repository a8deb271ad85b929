// Message ids and log positions: the opaque string form handed to HTTP users, and the order of positions in a log.
//   id     = base64url(bytes) without padding: exactly 36 characters of [A-Za-z0-9_-]
//   bytes  = version:u8 (1) partition:u32 ledgerId:u64 entryId:u64 batchIndex:u16 check:u32      (27 bytes)
//   check  = CRC32C of the 23 bytes before it, so a mangled id is refused instead of naming another message
// Big-endian. 27 bytes encode to whole base64 groups, so every id has exactly one spelling. ledgerId and entryId
// are at most 2^53 − 1; batchIndex < MAX_BATCH_MESSAGES. Callers treat the string as opaque; it only ever grows a
// new version byte, and decoders refuse versions they do not know.
import { crc32c } from '@node-rs/crc32';
import { MAX_BATCH_MESSAGES } from './message-batch-limits.js';
import { InvalidMessageIdError } from './message-errors.js';
import { writeU64 } from './wire-writer.js';

export const MESSAGE_ID_VERSION = 1;
/** Length of every encoded message id. */
export const MESSAGE_ID_LENGTH = 36;

const BYTES = 27;
const CHECKED = 23;
const TWO_POW_32 = 0x1_0000_0000;
const MAX_SAFE_HIGH = 0x1f_ffff;
const ALPHABET = /^[A-Za-z0-9_-]{36}$/;

/** A message in a partition's log: message `batchIndex` of the batch stored as entry `entryId` of ledger `ledgerId`. */
export interface MessagePosition {
  ledgerId: number;
  entryId: number;
  batchIndex: number;
}

/** A message anywhere in a topic. */
export interface MessageId extends MessagePosition {
  partition: number;
}

/** Encodes an id to its opaque string; RangeError for values the layout cannot carry (a caller bug). */
export function encodeMessageId(id: MessageId): string {
  if (!Number.isInteger(id.partition) || id.partition < 0 || id.partition > 0xffffffff) {
    throw new RangeError(`partition must be a u32, got ${id.partition}`);
  }
  if (!Number.isInteger(id.batchIndex) || id.batchIndex < 0 || id.batchIndex >= MAX_BATCH_MESSAGES) {
    throw new RangeError(`batchIndex must be in [0, ${MAX_BATCH_MESSAGES}), got ${id.batchIndex}`);
  }
  const buf = Buffer.allocUnsafe(BYTES);
  buf[0] = MESSAGE_ID_VERSION;
  buf.writeUInt32BE(id.partition, 1);
  writeU64(buf, 5, id.ledgerId, 'ledgerId');
  writeU64(buf, 13, id.entryId, 'entryId');
  buf.writeUInt16BE(id.batchIndex, 21);
  buf.writeUInt32BE(crc32c(buf.subarray(0, CHECKED)) >>> 0, CHECKED);
  return buf.toString('base64url');
}

/** Decodes an opaque id; anything this code did not produce is InvalidMessageIdError (never a wrong id). */
export function decodeMessageId(s: string): MessageId {
  if (typeof s !== 'string' || !ALPHABET.test(s)) {
    throw new InvalidMessageIdError(`not a message id: expected ${MESSAGE_ID_LENGTH} base64url characters`);
  }
  const buf = Buffer.from(s, 'base64url');
  if (buf[0] !== MESSAGE_ID_VERSION) throw new InvalidMessageIdError(`message id version ${buf[0]} is not supported`);
  if (buf.readUInt32BE(CHECKED) !== crc32c(buf.subarray(0, CHECKED)) >>> 0) {
    throw new InvalidMessageIdError('message id check bits do not match: the id was altered');
  }
  return {
    partition: buf.readUInt32BE(1),
    ledgerId: readSafeU64(buf, 5, 'ledgerId'),
    entryId: readSafeU64(buf, 13, 'entryId'),
    batchIndex: buf.readUInt16BE(21),
  };
}

/**
 * Orders ids: by partition, then by position. Within one partition this is the log order, because ledger ids only
 * grow (one counter in the metadata store, and a partition appends a newly created ledger to its list), so the
 * partition's ledger list is sorted by id and (ledgerId, entryId, batchIndex) compares lexicographically. Across
 * partitions the order is only a sorting convenience: it means nothing about time.
 */
export function compareMessageIds(a: MessageId, b: MessageId): number {
  return a.partition !== b.partition ? sign(a.partition - b.partition) : compareMessagePositions(a, b);
}

/** Log order of two messages of one partition (see compareMessageIds for why ids compare without the ledger list). */
export function compareMessagePositions(a: MessagePosition, b: MessagePosition): number {
  if (a.ledgerId !== b.ledgerId) return sign(a.ledgerId - b.ledgerId);
  return a.entryId !== b.entryId ? sign(a.entryId - b.entryId) : sign(a.batchIndex - b.batchIndex);
}

function sign(d: number): number {
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

function readSafeU64(buf: Buffer, off: number, field: string): number {
  const hi = buf.readUInt32BE(off);
  if (hi > MAX_SAFE_HIGH) throw new InvalidMessageIdError(`message id ${field} exceeds 2^53-1`);
  return hi * TWO_POW_32 + buf.readUInt32BE(off + 4);
}
