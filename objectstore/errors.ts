// Typed errors of the object stores: every backend translates its own failures (S3 SDK, file system)
// into these, so callers switch on `code` and `retriable` and never on a backend's messages.
import { StrataError, type StrataErrorOptions } from '../common/index.js';

export abstract class ObjectStoreError extends StrataError {}

/** The key (or, for head on S3, the key or its bucket: HEAD has no body to tell them apart) does not exist. */
export class ObjectNotFoundError extends ObjectStoreError {
  readonly code = 'OBJECT_NOT_FOUND';
  readonly retriable = false;
  constructor(readonly key: string, options?: StrataErrorOptions) {
    super(`object ${JSON.stringify(key)} does not exist`, options);
  }
}

/**
 * The store could not be reached, failed (5xx, disk error), throttled us or did not answer in time.
 * The operation may or may not have taken effect; retrying the same operation is safe for every
 * ObjectStore method (puts replace whole objects, deletes are idempotent).
 */
export class ObjectStoreUnavailableError extends ObjectStoreError {
  readonly code = 'OBJECT_STORE_UNAVAILABLE';
  readonly retriable = true;
}

/** The credentials are missing, unknown, wrong or lack permission. Retrying will not help. */
export class ObjectStoreAuthError extends ObjectStoreError {
  readonly code = 'OBJECT_STORE_AUTH';
  readonly retriable = false;
}

/** The bucket (S3) or root directory (local) does not exist: a configuration error. */
export class BucketNotFoundError extends ObjectStoreError {
  readonly code = 'BUCKET_NOT_FOUND';
  readonly retriable = false;
  constructor(readonly bucket: string, options?: StrataErrorOptions) {
    super(`bucket ${JSON.stringify(bucket)} does not exist`, options);
  }
}

/** A range with start < 0, start > endInclusive, or start at or past the object's size. */
export class InvalidRangeError extends ObjectStoreError {
  readonly code = 'INVALID_RANGE';
  readonly retriable = false;
}

/** A key the stores refuse (see object-key.ts). Nothing was read or written. */
export class InvalidObjectKeyError extends ObjectStoreError {
  readonly code = 'INVALID_OBJECT_KEY';
  readonly retriable = false;
}

/** User metadata the stores refuse (see object-metadata.ts). Nothing was written. */
export class InvalidObjectMetadataError extends ObjectStoreError {
  readonly code = 'INVALID_OBJECT_METADATA';
  readonly retriable = false;
}

/** A request the store refused for a reason none of the other errors names (an unexpected 4xx). */
export class ObjectStoreRequestError extends ObjectStoreError {
  readonly code = 'OBJECT_STORE_REQUEST_FAILED';
  readonly retriable = false;
}

/** A stored object is damaged or in a format this version does not know; it is never guessed at. */
export class ObjectCorruptError extends ObjectStoreError {
  readonly code = 'OBJECT_CORRUPT';
  readonly retriable = false;
}

/** The store was closed by its owner. */
export class ObjectStoreClosedError extends ObjectStoreError {
  readonly code = 'OBJECT_STORE_CLOSED';
  readonly retriable = false;
  constructor() {
    super('object store is closed');
  }
}
