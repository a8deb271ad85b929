// The checksum of a ledger entry: CRC32C of the payload bytes, computed once by the writer and carried with the
// entry to every bookie and back to every reader, which verifies it.
import { crc32c } from '@node-rs/crc32';
import { ChecksumMismatchError } from '../errors.js';

/** CRC32C of `payload` as an unsigned 32-bit number. */
export function entryChecksum(payload: Uint8Array): number {
  return crc32c(payload) >>> 0;
}

/** Throws ChecksumMismatchError unless `payload` hashes to `crc`. */
export function verifyEntryChecksum(ledgerId: number, entryId: number, payload: Uint8Array, crc: number): void {
  const actual = entryChecksum(payload);
  if (actual !== crc >>> 0) throw new ChecksumMismatchError(ledgerId, entryId, crc, actual);
}
