// One entry in an entry log: a 24-byte header followed by the payload bytes as received.
//
//   0  length   u32 BE   payload length
//   4  ledgerId u64 BE
//  12  entryId  u64 BE
//  20  crc32c   u32 BE   of the payload
//  24  payload
import { crc32c } from '@node-rs/crc32';
import { EntryChecksumError } from './errors.js';
import { readU64, writeU64 } from './int64.js';

export const RECORD_HEADER_SIZE = 24;

/** Bytes a record with this payload length takes in a log. */
export function recordSize(payloadLength: number): number {
  return RECORD_HEADER_SIZE + payloadLength;
}

export function encodeRecordHeader(ledgerId: number, entryId: number, payloadLength: number, crc: number): Buffer {
  const buf = Buffer.allocUnsafe(RECORD_HEADER_SIZE);
  buf.writeUInt32BE(payloadLength, 0);
  writeU64(buf, ledgerId, 4);
  writeU64(buf, entryId, 12);
  buf.writeUInt32BE(crc, 20);
  return buf;
}

/**
 * Checks a record read from disk against what the index says it is and returns its payload (a view into
 * `record`, no copy). Throws EntryChecksumError on any mismatch.
 */
export function verifyRecord(record: Buffer, ledgerId: number, entryId: number, payloadLength: number): Buffer {
  if (record.length !== RECORD_HEADER_SIZE + payloadLength) {
    throw new EntryChecksumError(ledgerId, entryId, `record is ${record.length} bytes, index says ${RECORD_HEADER_SIZE + payloadLength}`);
  }
  const length = record.readUInt32BE(0);
  const foundLedger = readU64(record, 4);
  const foundEntry = readU64(record, 12);
  if (length !== payloadLength || foundLedger !== ledgerId || foundEntry !== entryId) {
    throw new EntryChecksumError(ledgerId, entryId, `record header names ${foundLedger}:${foundEntry} of ${length} bytes`);
  }
  const payload = record.subarray(RECORD_HEADER_SIZE);
  if (crc32c(payload) !== record.readUInt32BE(20)) throw new EntryChecksumError(ledgerId, entryId, 'payload crc32c mismatch');
  return payload;
}
