// Object stores (S3, local directory): the ObjectStore contract, its backends, typed errors and the
// retry helper; and tiering (offload/): the offloader, readers of offloaded ledgers, the sweeper.
export {
  DEFAULT_PART_SIZE_BYTES, MAX_PARTS, MIN_PART_SIZE_BYTES,
  type ObjectHead, type ObjectListing, type ObjectStore, type PutOptions,
} from './object-store.js';
export {
  BucketNotFoundError, InvalidObjectKeyError, InvalidObjectMetadataError, InvalidRangeError, ObjectCorruptError,
  ObjectNotFoundError, ObjectStoreAuthError, ObjectStoreClosedError, ObjectStoreError, ObjectStoreRequestError,
  ObjectStoreUnavailableError,
} from './errors.js';
export { MAX_KEY_BYTES, validateListPrefix, validateObjectKey } from './object-key.js';
export { MAX_METADATA_BYTES, validateObjectMetadata, type ObjectMetadata } from './object-metadata.js';
// The S3 backend is a value of objectstore/s3/index.ts (so the AWS SDK loads only when used); its types are here too.
export type { S3ObjectStore, S3ObjectStoreOptions } from './s3-object-store.js';
export { LocalDirectoryObjectStore, type LocalDirectoryObjectStoreOptions } from './local-directory-object-store.js';
export { LOCAL_OBJECT_FORMAT_VERSION } from './local-object-file.js';
export { VERIFY_PROBE_PREFIX } from './verify-probe.js';
export { isRetriable, withRetries, type RetryOptions } from './with-retries.js';
export * from './offload/index.js';
