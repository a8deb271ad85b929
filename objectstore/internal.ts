// Internals of objectstore/ for its own files' siblings and for tests; other parts import index.ts.
export { coalesceParts } from './coalesce-parts.js';
export { decodeSegment, encodeSegment, keyToPath, OBJECT_FILE_SUFFIX } from './local-key-path.js';
export { encodeHeader, readHeader } from './local-object-file.js';
export { mapFsError } from './local-fs-errors.js';
export { validateRange } from './object-range.js';
export { mapS3Error, type S3ErrorContext } from './s3-error-mapping.js';
