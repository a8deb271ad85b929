// Internals of objectstore/ for its own files' siblings and for tests; other parts import index.ts.
export { coalesceParts } from './coalesce-parts.js';
export { decodeSegment, encodeSegment, keyToPath, OBJECT_FILE_SUFFIX } from './local-key-path.js';
export { encodeHeader, readHeader } from './local-object-file.js';
export { mapFsError } from './local-fs-errors.js';
export { validateRange } from './object-range.js';
export { mapS3Error, type S3ErrorContext } from './s3-error-mapping.js';
export { OffloadEncoder, type OffloadEncoderOptions } from './offload/offload-encoder.js';
export { OffloadIndex, readOffloadIndex } from './offload/offload-index.js';
export {
  FOOTER_BYTES, HEADER_BYTES, INDEX_FIXED_BYTES, INDEX_ROW_BYTES, RECORD_HEADER_BYTES, decodeFooter, formatChecksum,
  decodeHeader as decodeOffloadHeader, encodeHeader as encodeOffloadHeader,
} from './offload/offload-format.js';
export { BlockCursor } from './offload/block-cursor.js';
export { ledgerEntryStream } from './offload/ledger-entry-stream.js';
export { newOffloadObjectKey, offloadObjectPrefixOf } from './offload/offload-object-key.js';
export { recordOffload, readLedger } from './offload/offload-record.js';
