// The format of an offloaded ledger: one object per ledger, entry records cut into fixed-size blocks,
// then an index (block → first entry starting in it) so one ranged GET fetches consecutive entries.
//
//   object = header data index footer                     (all integers big-endian)
//
//   header (32 bytes, at 0)
//     0 magic u32 0x53544c4f "STLO"   4 version u16 (1)   6 flags u16 (0)   8 ledgerId u64
//    16 blockSize u32                20 reserved (8 bytes, 0)               28 headerCrc u32 = crc32c(bytes 0..27)
//
//   data (dataLength bytes, at 32): the entries' records back to back in entry order, 0, 1, 2, …
//     record = entryId u64, crc u32 (the payload's CRC32C as the bookies stored it), length u32, payload
//     The data is cut into blocks of blockSize bytes: block b is data bytes [b·blockSize, (b+1)·blockSize)
//     (object offset 32 + b·blockSize); only the last block may be shorter. A record may straddle blocks.
//
//   index (indexLength bytes, at indexOffset = 32 + dataLength)
//     0 magic u32 0x53544c49 "STLI"   4 version u16 (1)   6 flags u16 (0)   8 ledgerId u64
//    16 entryCount u64   24 dataLength u64   32 payloadBytes u64   40 blockSize u32   44 blockCount u32
//    48 rows, one per block, 16 bytes each:
//         firstEntryId u64  the first record that starts in the block (all ones when none does)
//         firstRecordAt u32 where that record starts, relative to the block (0 when none)
//         blockCrc u32      crc32c of the block's bytes
//     then indexCrc u32 = crc32c(every index byte before it)
//
//   footer (24 bytes, the last of the object)
//     0 indexOffset u64   8 indexLength u32   12 version u16 (1)   14 flags u16 (0)
//    16 magic u32 0x53544c46 "STLF"            20 footerCrc u32 = crc32c(bytes 0..19)
//
// The whole object's CRC32C is its checksum ("crc32c:%08x"), stored in the object's user metadata
// (OBJECT_CHECKSUM_METADATA) and in the ledger metadata's offload record. A reader refuses any
// magic, version or checksum it does not expect (ObjectCorruptError): it never guesses.
import { crc32c } from '@node-rs/crc32';
import { ObjectCorruptError } from '../errors.js';

export const OFFLOAD_FORMAT_VERSION = 1;
export const HEADER_MAGIC = 0x53544c4f;
export const INDEX_MAGIC = 0x53544c49;
export const FOOTER_MAGIC = 0x53544c46;
export const HEADER_BYTES = 32;
export const RECORD_HEADER_BYTES = 16;
export const INDEX_FIXED_BYTES = 48;
export const INDEX_ROW_BYTES = 16;
export const FOOTER_BYTES = 24;
/** Block sizes outside this range are refused (the writer's choice, recorded in the object). */
export const MIN_BLOCK_SIZE = 4 * 1024;
export const MAX_BLOCK_SIZE = 64 * 1024 * 1024;
export const DEFAULT_BLOCK_SIZE = 1024 * 1024;
/** User-metadata names the offloader writes on every object. */
export const OBJECT_CHECKSUM_METADATA = 'strata-checksum';
export const OBJECT_LEDGER_METADATA = 'strata-ledger-id';
export const OBJECT_FORMAT_METADATA = 'strata-offload-format';

const NONE_HI = 0xffffffff;
const NONE_LO = 0xffffffff;

/** One entry as the ledger client's readers return it (the same shape whether from bookies or an object). */
export interface LedgerEntryData {
  entryId: number;
  /** CRC32C of payload. */
  crc: number;
  payload: Buffer;
}

export interface OffloadHeader {
  ledgerId: number;
  blockSize: number;
}

export interface OffloadFooter {
  indexOffset: number;
  indexLength: number;
}

/** "crc32c:0a1b2c3d" */
export function formatChecksum(crc: number): string {
  return `crc32c:${(crc >>> 0).toString(16).padStart(8, '0')}`;
}

export function checkBlockSize(blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
    throw new RangeError(`block size must be an integer in ${MIN_BLOCK_SIZE}..${MAX_BLOCK_SIZE}, got ${blockSize}`);
  }
}

/** Writes a non-negative safe integer (or −1 as all ones) as u64. */
export function writeU64(buf: Buffer, offset: number, value: number): void {
  if (value === -1) {
    buf.writeUInt32BE(NONE_HI, offset);
    buf.writeUInt32BE(NONE_LO, offset + 4);
    return;
  }
  buf.writeUInt32BE(Math.floor(value / 2 ** 32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

/** Reads a u64 written by writeU64: all ones is −1; anything beyond 2^53 is corruption. */
export function readU64(buf: Buffer, offset: number, what: string): number {
  const hi = buf.readUInt32BE(offset);
  const lo = buf.readUInt32BE(offset + 4);
  if (hi === NONE_HI && lo === NONE_LO) return -1;
  if (hi >= 2 ** 21) throw new ObjectCorruptError(`offloaded ledger: ${what} does not fit in a safe integer`);
  return hi * 2 ** 32 + lo;
}

export function encodeHeader({ ledgerId, blockSize }: OffloadHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32BE(HEADER_MAGIC, 0);
  b.writeUInt16BE(OFFLOAD_FORMAT_VERSION, 4);
  writeU64(b, 8, ledgerId);
  b.writeUInt32BE(blockSize, 16);
  b.writeUInt32BE(crc32c(b.subarray(0, 28)) >>> 0, 28);
  return b;
}

export function decodeHeader(b: Buffer, where: string): OffloadHeader {
  if (b.length < HEADER_BYTES) throw new ObjectCorruptError(`${where}: header is ${b.length} bytes, expected ${HEADER_BYTES}`);
  checkMagicAndVersion(b, 0, HEADER_MAGIC, where, 'header');
  if (b.readUInt32BE(28) !== crc32c(b.subarray(0, 28)) >>> 0) throw new ObjectCorruptError(`${where}: header checksum mismatch`);
  return { ledgerId: readU64(b, 8, 'ledger id'), blockSize: b.readUInt32BE(16) };
}

export function encodeFooter({ indexOffset, indexLength }: OffloadFooter): Buffer {
  const b = Buffer.alloc(FOOTER_BYTES);
  writeU64(b, 0, indexOffset);
  b.writeUInt32BE(indexLength, 8);
  b.writeUInt16BE(OFFLOAD_FORMAT_VERSION, 12);
  b.writeUInt32BE(FOOTER_MAGIC, 16);
  b.writeUInt32BE(crc32c(b.subarray(0, 20)) >>> 0, 20);
  return b;
}

export function decodeFooter(b: Buffer, where: string): OffloadFooter {
  if (b.length !== FOOTER_BYTES) throw new ObjectCorruptError(`${where}: footer is ${b.length} bytes, expected ${FOOTER_BYTES}`);
  if (b.readUInt32BE(16) !== FOOTER_MAGIC) throw new ObjectCorruptError(`${where}: not an offloaded ledger (footer magic 0x${b.readUInt32BE(16).toString(16)})`);
  const version = b.readUInt16BE(12);
  if (version !== OFFLOAD_FORMAT_VERSION) throw new ObjectCorruptError(`${where}: footer has unknown format version ${version} (this build reads ${OFFLOAD_FORMAT_VERSION})`);
  if (b.readUInt32BE(20) !== crc32c(b.subarray(0, 20)) >>> 0) throw new ObjectCorruptError(`${where}: footer checksum mismatch`);
  return { indexOffset: readU64(b, 0, 'index offset'), indexLength: b.readUInt32BE(8) };
}

/** Checks a magic number and the format version at `offset` (header and index share the layout). */
export function checkMagicAndVersion(b: Buffer, offset: number, magic: number, where: string, what: string): void {
  const found = b.readUInt32BE(offset);
  if (found !== magic) throw new ObjectCorruptError(`${where}: not an offloaded ledger (${what} magic 0x${found.toString(16)})`);
  const version = b.readUInt16BE(offset + 4);
  if (version !== OFFLOAD_FORMAT_VERSION) {
    throw new ObjectCorruptError(`${where}: ${what} has unknown format version ${version} (this build reads ${OFFLOAD_FORMAT_VERSION})`);
  }
}

export function encodeRecordHeader(entryId: number, crc: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  writeU64(b, 0, entryId);
  b.writeUInt32BE(crc >>> 0, 8);
  b.writeUInt32BE(length, 12);
  return b;
}
