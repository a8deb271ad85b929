// The 32-byte header every storage file opens with: magic, format version, the file's id, and a CRC32C.
//
//   0  magic    u32 BE       ('STLG' entry log, 'STIX' index log)
//   4  version  u16 BE       (1)
//   6  flags    u16 BE       (0; a reader refuses flags it does not know)
//   8  fileId   u64 BE       (the entry log id; 0 for the index log)
//  16  reserved 12 bytes     (zero)
//  28  crc32c   u32 BE       over bytes 0..27
import { crc32c } from '@node-rs/crc32';
import { StorageFormatError } from './errors.js';
import { readU64, writeU64 } from './int64.js';

export const FILE_HEADER_SIZE = 32;
export const ENTRY_LOG_MAGIC = 0x53544c47; // 'STLG'
export const INDEX_LOG_MAGIC = 0x53544958; // 'STIX'
export const ENTRY_LOG_VERSION = 1;
export const INDEX_LOG_VERSION = 1;

export interface FileHeader {
  magic: number;
  version: number;
  fileId: number;
}

export function encodeFileHeader(header: FileHeader): Buffer {
  const buf = Buffer.alloc(FILE_HEADER_SIZE);
  buf.writeUInt32BE(header.magic, 0);
  buf.writeUInt16BE(header.version, 4);
  buf.writeUInt16BE(0, 6);
  writeU64(buf, header.fileId, 8);
  buf.writeUInt32BE(crc32c(buf.subarray(0, 28)), 28);
  return buf;
}

/** True when the bytes look like a header that was never written (a file created just before a crash). */
export function isUnwrittenHeader(buf: Buffer): boolean {
  return buf.length < FILE_HEADER_SIZE || buf.subarray(0, FILE_HEADER_SIZE).every((b) => b === 0);
}

/**
 * Decodes and checks a header; throws StorageFormatError (naming the file) for a wrong magic, an unknown
 * version or flags, or a header checksum mismatch.
 */
export function decodeFileHeader(buf: Buffer, path: string, magic: number, version: number): FileHeader {
  if (buf.length < FILE_HEADER_SIZE) throw new StorageFormatError(path, `header is ${buf.length} bytes, need ${FILE_HEADER_SIZE}`);
  const found = buf.readUInt32BE(0);
  if (found !== magic) {
    throw new StorageFormatError(path, `magic 0x${found.toString(16)} is not 0x${magic.toString(16)}`);
  }
  if (buf.readUInt32BE(28) !== crc32c(buf.subarray(0, 28))) throw new StorageFormatError(path, 'header checksum mismatch');
  const foundVersion = buf.readUInt16BE(4);
  if (foundVersion !== version) throw new StorageFormatError(path, `format version ${foundVersion} is not supported (this code reads ${version})`);
  const flags = buf.readUInt16BE(6);
  if (flags !== 0) throw new StorageFormatError(path, `unknown header flags 0x${flags.toString(16)}`);
  const fileId = readU64(buf, 8);
  if (fileId < 0) throw new StorageFormatError(path, 'file id out of range');
  return { magic: found, version: foundVersion, fileId };
}
