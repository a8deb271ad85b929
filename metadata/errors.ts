// Typed errors of the metadata store; backends translate their own failures into these.
import { StrataError } from '../common/index.js';

export abstract class MetadataError extends StrataError {}

/** A compare-and-set or transaction found another version: re-read and decide again. */
export class BadVersionError extends MetadataError {
  readonly code = 'BAD_VERSION';
  readonly retriable = false;
  constructor(readonly key: string | undefined, message?: string) {
    super(message ?? `version of ${key} did not match`);
  }
}

/** A create-if-absent found the key already present. */
export class KeyExistsError extends MetadataError {
  readonly code = 'KEY_EXISTS';
  readonly retriable = false;
  constructor(readonly key: string) {
    super(`${key} already exists`);
  }
}

/** The session a write was bound to has expired or was closed. */
export class SessionExpiredError extends MetadataError {
  readonly code = 'SESSION_EXPIRED';
  readonly retriable = false;
  constructor(readonly sessionId: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? `session ${sessionId} has expired`, options);
  }
}

/** The store could not be reached or did not answer in time; the operation may or may not have happened. */
export class StoreUnavailableError extends MetadataError {
  readonly code = 'STORE_UNAVAILABLE';
  readonly retriable = true;
}

/** A key or value the store refuses: empty, malformed or too large. Nothing was written. */
export class InvalidKeyError extends MetadataError {
  readonly code = 'INVALID_KEY';
  readonly retriable = false;
}

export class InvalidValueError extends MetadataError {
  readonly code = 'INVALID_VALUE';
  readonly retriable = false;
}

/** The store was closed by its owner. */
export class StoreClosedError extends MetadataError {
  readonly code = 'STORE_CLOSED';
  readonly retriable = false;
  constructor() {
    super('metadata store is closed');
  }
}

/** The embedded store's files are damaged in a way it must not guess about. */
export class StoreCorruptError extends MetadataError {
  readonly code = 'STORE_CORRUPT';
  readonly retriable = false;
}
