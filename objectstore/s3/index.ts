// The S3 backend of the object store, its own entry point: the AWS SDK loads only for those who use it.
export { S3ObjectStore, type S3ObjectStoreOptions } from '../s3-object-store.js';
