// The ObjectStore contract every backend (S3, local directory) implements: whole-object puts,
// multipart uploads, (ranged) reads, head, paged listing and idempotent deletes of immutable blobs.
import type { ObjectMetadata } from './object-metadata.js';

/** What `head` reports. `etag` is opaque (changes when the content does) and may be absent. */
export interface ObjectHead {
  size: number;
  etag?: string;
  lastModified?: Date;
  /** The user metadata given to the put that wrote this version; `{}` when none was. */
  metadata: ObjectMetadata;
}

/** One listed object; `key` is relative to the store (its prefix or root removed). */
export interface ObjectListing {
  key: string;
  size: number;
  lastModified: Date;
}

export interface PutOptions {
  /** Small string map stored with the object and returned by `head` (e.g. a checksum). */
  metadata?: ObjectMetadata;
}

/**
 * Contracts common to every backend:
 * - Keys are validated (object-key.ts) before any I/O; a bad key is an InvalidObjectKeyError.
 * - A put is atomic: readers see the old object or the whole new one, never a part. A failed put
 *   (including a failed or aborted multipart upload) leaves the previous version in place.
 * - Every failure is one of the typed errors of errors.ts; `retriable` says whether trying the same
 *   call again may succeed, and retrying any method is safe.
 */
export interface ObjectStore {
  /** Writes `body` as the whole object `key`, replacing any previous version. */
  put(key: string, body: Buffer, options?: PutOptions): Promise<void>;

  /**
   * Writes the concatenation of `parts` as the object `key`, holding at most one part in memory.
   * Buffers smaller than the part size are coalesced, so every part sent is at least the S3 minimum
   * (5 MiB) except the last; a body that fits in one part is written with a single put. If `parts`
   * throws or an upload fails, the upload is aborted (nothing is left behind) and the error rethrown.
   */
  putMultipart(key: string, parts: AsyncIterable<Buffer>, options?: PutOptions): Promise<void>;

  /** The whole object; ObjectNotFoundError when it does not exist. */
  get(key: string): Promise<Buffer>;

  /**
   * Bytes `start..endInclusive` of the object. An `endInclusive` past the end is clamped to the last
   * byte (as S3 does), so the result may be shorter than asked. InvalidRangeError when `start` is
   * negative or not an integer, `start > endInclusive`, or `start >= size` (so always on an empty object).
   */
  getRange(key: string, start: number, endInclusive: number): Promise<Buffer>;

  /** Size, etag, last-modified time and user metadata; ObjectNotFoundError when absent. */
  head(key: string): Promise<ObjectHead>;

  /**
   * Every object whose key starts with `prefix` (a plain string prefix, not only whole segments),
   * in ascending byte order of the keys, fetched a page at a time. Objects written or deleted while
   * the listing runs may or may not appear.
   */
  list(prefix: string): AsyncIterable<ObjectListing>;

  /** Removes the object; deleting a key that does not exist succeeds. */
  delete(key: string): Promise<void>;

  /**
   * The startup check: the bucket (or root directory) exists, the credentials work, and a probe
   * object can be written, read back byte for byte and deleted. Throws BucketNotFoundError,
   * ObjectStoreAuthError or ObjectStoreUnavailableError with a message an operator can act on.
   */
  verify(): Promise<void>;

  /** Releases connections and handles; every later call throws ObjectStoreClosedError. */
  close(): Promise<void>;
}

/** The S3 minimum size of every part but the last, and the default part size of both backends. */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
/** S3 refuses more parts than this in one upload. */
export const MAX_PARTS = 10_000;
