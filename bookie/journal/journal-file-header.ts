// The header every journal file starts with, and how journal files are named.
//
//   magic:u32be 'SJNL' | version:u16be | reserved:u16be (0) | fileId:u64be | crc32c:u32be
//   (20 bytes; the crc covers the 16 bytes before it)
//
// A file is named journal-<fileId, 12+ digits>.log; ids only grow, and a file is never reused.
import { crc32c } from '@node-rs/crc32';
import { JournalCorruptError, JournalFormatError } from './errors.js';

export const JOURNAL_MAGIC = 0x534a4e4c; // 'SJNL'
export const JOURNAL_FORMAT_VERSION = 1;
export const JOURNAL_HEADER_BYTES = 20;

const FILE_NAME = /^journal-(\d{12,})\.log$/;

export function journalFileName(fileId: number): string {
  return `journal-${String(fileId).padStart(12, '0')}.log`;
}

/** The file id named by `name`, or undefined when `name` is not a journal file. */
export function parseJournalFileName(name: string): number | undefined {
  const m = FILE_NAME.exec(name);
  if (m === null) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

export function encodeJournalHeader(fileId: number): Buffer {
  const buf = Buffer.alloc(JOURNAL_HEADER_BYTES);
  buf.writeUInt32BE(JOURNAL_MAGIC, 0);
  buf.writeUInt16BE(JOURNAL_FORMAT_VERSION, 4);
  buf.writeUInt16BE(0, 6);
  writeU64(buf, 8, fileId);
  buf.writeUInt32BE(crc32c(buf.subarray(0, 16)), 16);
  return buf;
}

/**
 * Checks the header of `file` (whose name says `expectedId`). Returns 'torn' when the header was
 * never completely written (shorter than a header, or all zero): only acceptable for the last
 * file, created just before a crash. Throws JournalFormatError for an unknown magic or version
 * and JournalCorruptError for a bad checksum or a file id that contradicts the name.
 */
export function checkJournalHeader(file: string, data: Buffer, expectedId: number): 'ok' | 'torn' {
  if (data.length < JOURNAL_HEADER_BYTES) return 'torn';
  const header = data.subarray(0, JOURNAL_HEADER_BYTES);
  if (header.every((b) => b === 0)) return 'torn';
  const magic = header.readUInt32BE(0);
  if (magic !== JOURNAL_MAGIC) {
    throw new JournalFormatError(file, `not a Strata journal file (magic 0x${hex(magic)}, expected 0x${hex(JOURNAL_MAGIC)})`);
  }
  const version = header.readUInt16BE(4);
  if (version !== JOURNAL_FORMAT_VERSION) {
    throw new JournalFormatError(file, `unsupported journal format version ${version} (this build reads ${JOURNAL_FORMAT_VERSION})`);
  }
  if (crc32c(header.subarray(0, 16)) !== header.readUInt32BE(16)) {
    throw new JournalCorruptError(file, 0, 'journal file header checksum mismatch');
  }
  const fileId = readU64(header, 8);
  if (fileId !== expectedId) {
    throw new JournalCorruptError(file, 8, `header names file id ${fileId ?? 'out of range'}, file name says ${expectedId}`);
  }
  return 'ok';
}

/** Writes a non-negative safe integer as u64be. */
export function writeU64(buf: Buffer, offset: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

/** Reads a u64be; undefined when it exceeds Number.MAX_SAFE_INTEGER. */
export function readU64(buf: Buffer, offset: number): number | undefined {
  const hi = buf.readUInt32BE(offset);
  if (hi > 0x1f_ffff) return undefined;
  return hi * 0x1_0000_0000 + buf.readUInt32BE(offset + 4);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
