// The format of one object file of the local directory store: a header carrying the user metadata,
// then the object's bytes, so a put (data and metadata together) is one atomic rename.
//
//   magic    4 bytes  "SOBJ"
//   version  u8       1 (any other version is refused, never guessed at)
//   metaLen  u32 BE   length of the metadata JSON
//   meta     metaLen  UTF-8 JSON object of string → string
//   data     the object's bytes, to the end of the file
import type { FileHandle } from 'node:fs/promises';
import { ObjectCorruptError } from './errors.js';
import { MAX_METADATA_BYTES, type ObjectMetadata } from './object-metadata.js';

const MAGIC = Buffer.from('SOBJ', 'latin1');
export const LOCAL_OBJECT_FORMAT_VERSION = 1;
const FIXED_BYTES = MAGIC.length + 1 + 4;
/** JSON quoting may grow the validated metadata; anything beyond this is damage, not data. */
const MAX_META_JSON_BYTES = 4 * MAX_METADATA_BYTES + 64;

export interface LocalObjectHeader {
  /** Where the object's bytes start in the file. */
  dataOffset: number;
  metadata: ObjectMetadata;
}

export function encodeHeader(metadata: ObjectMetadata = {}): Buffer {
  const meta = Buffer.from(JSON.stringify(metadata), 'utf8');
  const fixed = Buffer.alloc(FIXED_BYTES);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt8(LOCAL_OBJECT_FORMAT_VERSION, MAGIC.length);
  fixed.writeUInt32BE(meta.length, MAGIC.length + 1);
  return Buffer.concat([fixed, meta]);
}

/** Reads and checks the header of an open object file; ObjectCorruptError when it is not one. */
export async function readHeader(fh: FileHandle, key: string, fileSize: number): Promise<LocalObjectHeader> {
  const fixed = Buffer.alloc(FIXED_BYTES);
  const { bytesRead } = await fh.read(fixed, 0, FIXED_BYTES, 0);
  if (bytesRead < FIXED_BYTES || !fixed.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ObjectCorruptError(`local object ${JSON.stringify(key)} has no object header`);
  }
  const version = fixed.readUInt8(MAGIC.length);
  if (version !== LOCAL_OBJECT_FORMAT_VERSION) {
    throw new ObjectCorruptError(`local object ${JSON.stringify(key)} has format version ${version}; this version of Strata reads ${LOCAL_OBJECT_FORMAT_VERSION}`);
  }
  const metaLen = fixed.readUInt32BE(MAGIC.length + 1);
  if (metaLen > MAX_META_JSON_BYTES || FIXED_BYTES + metaLen > fileSize) {
    throw new ObjectCorruptError(`local object ${JSON.stringify(key)} has a metadata length of ${metaLen} in a file of ${fileSize} bytes`);
  }
  const meta = Buffer.alloc(metaLen);
  const read = await fh.read(meta, 0, metaLen, FIXED_BYTES);
  if (read.bytesRead !== metaLen) throw new ObjectCorruptError(`local object ${JSON.stringify(key)} has a truncated header`);
  let metadata: unknown;
  try {
    metadata = JSON.parse(meta.toString('utf8'));
  } catch (err) {
    throw new ObjectCorruptError(`local object ${JSON.stringify(key)} has unreadable metadata`, { cause: err });
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new ObjectCorruptError(`local object ${JSON.stringify(key)} has metadata that is not a map of strings`);
  }
  return { dataOffset: FIXED_BYTES + metaLen, metadata: metadata as ObjectMetadata };
}
