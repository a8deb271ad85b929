// Typed errors of the bookie's ledger storage: every failure a caller can act on has its own class.
import { StrataError } from '../../common/index.js';

export abstract class StorageError extends StrataError {}

/** A file does not carry a magic number or format version this code understands; nothing was read from it. */
export class StorageFormatError extends StorageError {
  readonly code = 'STORAGE_FORMAT';
  readonly retriable = false;
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
  }
}

/**
 * Storage files contradict each other or are damaged in a way that must not be guessed about (a checksum
 * failure followed by valid data, an index pointing into a missing or short entry log). The bookie must
 * refuse to serve rather than answer "no such entry".
 */
export class StorageCorruptError extends StorageError {
  readonly code = 'STORAGE_CORRUPT';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A stored entry failed its CRC32C (or its record header does not match the index) when read. */
export class EntryChecksumError extends StorageError {
  readonly code = 'ENTRY_CHECKSUM';
  readonly retriable = false;
  constructor(readonly ledgerId: number, readonly entryId: number, detail: string) {
    super(`entry ${ledgerId}:${entryId} is corrupt: ${detail}`);
  }
}

/** An add for an entry already stored with different bytes: never overwritten, never silently accepted. */
export class EntryExistsDifferentError extends StorageError {
  readonly code = 'ENTRY_EXISTS_DIFFERENT';
  readonly retriable = false;
  constructor(readonly ledgerId: number, readonly entryId: number) {
    super(`entry ${ledgerId}:${entryId} is already stored with different bytes`);
  }
}

/** An id, size or option outside what the storage accepts; nothing was changed. */
export class InvalidArgumentError extends StorageError {
  readonly code = 'INVALID_ARGUMENT';
  readonly retriable = false;
}

/** The storage was closed by its owner. */
export class StorageClosedError extends StorageError {
  readonly code = 'STORAGE_CLOSED';
  readonly retriable = false;
  constructor() {
    super('ledger storage is closed');
  }
}

/**
 * A write or sync failed earlier. After a failed fsync the page cache state is unknown, so the storage
 * refuses every further mutation; the bookie must restart and replay its journal.
 */
export class StorageFailedError extends StorageError {
  readonly code = 'STORAGE_FAILED';
  readonly retriable = false;
  constructor(options: { cause?: unknown }) {
    super('ledger storage failed on an earlier write or sync and refuses further changes', options);
  }
}
