// The two checks of an offloaded object: right after the upload (HEAD, then the whole object read
// back in ranges and its checksum recomputed, and its format decoded), and the fresh check before
// bookie copies are deleted (HEAD: size and checksum against the ledger metadata's record).
import { crc32c } from '@node-rs/crc32';
import type { LedgerOffload } from '../../ledger/index.js';
import { ObjectCorruptError, ObjectNotFoundError } from '../errors.js';
import type { ObjectStore } from '../object-store.js';
import { withRetries, type RetryOptions } from '../with-retries.js';
import type { OffloadSummary } from './offload-encoder.js';
import { HEADER_BYTES, OBJECT_CHECKSUM_METADATA, decodeHeader, formatChecksum } from './offload-format.js';
import { readOffloadIndex } from './offload-index.js';
import { OffloadVerificationError, OffloadedObjectMismatchError } from './offload-errors.js';

const READ_BACK_CHUNK = 8 * 1024 * 1024;

/**
 * Throws OffloadVerificationError unless the object at `key` has the summary's size and checksum (in
 * its metadata and, with `readBack`, recomputed from its bytes) and a header and index that decode.
 * Store errors (unavailable…) are thrown as they are. Memory: one chunk of 8 MiB.
 */
export async function verifyUploadedObject(
  store: ObjectStore,
  key: string,
  expected: OffloadSummary,
  { readBack, retry }: { readBack: boolean; retry: RetryOptions },
): Promise<void> {
  const where = `offloaded object ${JSON.stringify(key)}`;
  let head;
  try {
    head = await withRetries(() => store.head(key), retry);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new OffloadVerificationError(`${where} is missing right after its upload`, { cause: err });
    throw err;
  }
  if (head.size !== expected.size) throw new OffloadVerificationError(`${where} is ${head.size} bytes, ${expected.size} were uploaded`);
  if (head.metadata[OBJECT_CHECKSUM_METADATA] !== expected.checksum) {
    throw new OffloadVerificationError(`${where} carries checksum ${head.metadata[OBJECT_CHECKSUM_METADATA]}, ${expected.checksum} was uploaded`);
  }
  if (!readBack) return;
  try {
    let crc = 0;
    for (let at = 0; at < expected.size; at += READ_BACK_CHUNK) {
      const end = Math.min(expected.size, at + READ_BACK_CHUNK) - 1;
      const chunk = await withRetries(() => store.getRange(key, at, end), retry);
      if (chunk.length !== end - at + 1) throw new OffloadVerificationError(`${where}: bytes ${at}..${end} read back as ${chunk.length} bytes`);
      if (at === 0) {
        const header = decodeHeader(chunk.subarray(0, HEADER_BYTES), where);
        if (header.ledgerId !== expected.ledgerId) throw new OffloadVerificationError(`${where} holds ledger ${header.ledgerId}, not ${expected.ledgerId}`);
      }
      crc = crc32c(chunk, crc) >>> 0;
    }
    if (formatChecksum(crc) !== expected.checksum) throw new OffloadVerificationError(`${where} reads back as ${formatChecksum(crc)}, ${expected.checksum} was uploaded`);
    const { index } = await withRetries(() => readOffloadIndex(store, key, expected.size, { indexOffset: expected.indexOffset, ledgerId: expected.ledgerId }), retry);
    if (index.entryCount !== expected.entryCount || index.payloadBytes !== expected.payloadBytes) {
      throw new OffloadVerificationError(`${where}: its index counts ${index.entryCount} entries of ${index.payloadBytes} bytes, ${expected.entryCount} of ${expected.payloadBytes} were uploaded`);
    }
  } catch (err) {
    if (err instanceof ObjectCorruptError || err instanceof ObjectNotFoundError) throw new OffloadVerificationError(`${where} does not verify: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * The check before bookie copies are deleted: the recorded object exists with the recorded size and
 * checksum. OffloadedObjectMismatchError when it does not; store errors are thrown as they are.
 */
export async function checkRecordedObject(store: ObjectStore, ledgerId: number, offload: LedgerOffload, retry: RetryOptions): Promise<void> {
  const where = `ledger ${ledgerId}'s offloaded object ${JSON.stringify(offload.objectKey)}`;
  let head;
  try {
    head = await withRetries(() => store.head(offload.objectKey), retry);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new OffloadedObjectMismatchError(`${where} is missing: bookie copies kept`, { cause: err });
    throw err;
  }
  if (head.size !== offload.size || head.metadata[OBJECT_CHECKSUM_METADATA] !== offload.checksum) {
    throw new OffloadedObjectMismatchError(
      `${where} is ${head.size} bytes with checksum ${head.metadata[OBJECT_CHECKSUM_METADATA]}; the metadata records ${offload.size} bytes, ${offload.checksum}: bookie copies kept`,
    );
  }
}
