// User metadata stored with an object (e.g. a checksum): a small map of lowercase names to printable
// ASCII values, limited so that it fits S3's 2 KiB of x-amz-meta-* headers on every backend.
import { InvalidObjectMetadataError } from './errors.js';

export type ObjectMetadata = Record<string, string>;

/** S3's limit on all user metadata of one object (names plus values), in bytes. */
export const MAX_METADATA_BYTES = 2048;

// Names are lowercased by S3 and must be valid HTTP header tokens; values travel as header values.
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const VALUE = /^[\x20-\x7e]*$/;

/** Throws InvalidObjectMetadataError unless `metadata` follows the rules above. */
export function validateObjectMetadata(metadata: ObjectMetadata | undefined): void {
  if (metadata === undefined) return;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidObjectMetadataError('object metadata must be a map of strings');
  }
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!NAME.test(name)) throw new InvalidObjectMetadataError(`metadata name ${JSON.stringify(name)} must match ${NAME.source}`);
    if (typeof value !== 'string' || !VALUE.test(value)) {
      throw new InvalidObjectMetadataError(`metadata value of ${JSON.stringify(name)} must be a printable ASCII string`);
    }
    // HTTP trims the spaces around a header value, so S3 would not give them back: refuse them.
    if (value !== value.trim()) throw new InvalidObjectMetadataError(`metadata value of ${JSON.stringify(name)} has leading or trailing spaces`);
    bytes += name.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) throw new InvalidObjectMetadataError(`object metadata is ${bytes} bytes, more than ${MAX_METADATA_BYTES}`);
}
