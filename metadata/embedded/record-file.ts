// The embedded store's file format: a header (magic, version) then records `length:u32 | crc32c:u32 |
// body`. Reading cuts a torn or checksum-failing last record and refuses corruption followed by data.
import fs from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { StoreCorruptError } from '../errors.js';

export const HEADER_BYTES = 8;
export const FORMAT_VERSION = 1;
const RECORD_HEADER_BYTES = 8;

export function encodeHeader(magic: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.writeUInt32BE(magic, 0);
  b.writeUInt16BE(FORMAT_VERSION, 4);
  return b;
}

export function encodeRecord(body: Buffer): Buffer[] {
  const h = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  h.writeUInt32BE(body.length, 0);
  h.writeUInt32BE(crc32c(body), 4);
  return [h, body];
}

export interface ReadRecords {
  bodies: Buffer[];
  /** Length of the valid prefix of the file; anything after it is a torn tail to cut. */
  validLength: number;
}

function recordAt(data: Buffer, offset: number): Buffer | undefined {
  if (offset + RECORD_HEADER_BYTES > data.length) return undefined;
  const length = data.readUInt32BE(offset);
  const end = offset + RECORD_HEADER_BYTES + length;
  if (length === 0 || end > data.length) return undefined;
  const body = data.subarray(offset + RECORD_HEADER_BYTES, end);
  return crc32c(body) === data.readUInt32BE(offset + 4) ? body : undefined;
}

/** Reads every record of a file written with `magic`; undefined if the file does not exist. */
export async function readRecordFile(path: string, magic: number): Promise<ReadRecords | undefined> {
  let data: Buffer;
  try {
    data = await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (data.length < HEADER_BYTES) return { bodies: [], validLength: 0 };
  if (data.readUInt32BE(0) !== magic) throw new StoreCorruptError(`${path}: not a Strata metadata file (bad magic number)`);
  const version = data.readUInt16BE(4);
  if (version !== FORMAT_VERSION) throw new StoreCorruptError(`${path}: unsupported format version ${version} (this build reads ${FORMAT_VERSION})`);
  const bodies: Buffer[] = [];
  let offset = HEADER_BYTES;
  while (offset < data.length) {
    const body = recordAt(data, offset);
    if (!body) {
      // A bad record is a torn tail only if no valid record starts anywhere after it.
      for (let probe = offset + 1; probe + RECORD_HEADER_BYTES <= data.length; probe++) {
        if (recordAt(data, probe)) throw new StoreCorruptError(`${path}: corrupt record at offset ${offset} followed by valid data`);
      }
      return { bodies, validLength: offset };
    }
    bodies.push(body);
    offset += RECORD_HEADER_BYTES + body.length;
  }
  return { bodies, validLength: offset };
}

/** fsyncs a directory so that a file created or renamed in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a whole file atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeFileAtomically(dir: string, name: string, parts: Buffer[]): Promise<void> {
  const tmp = `${dir}/${name}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writev(parts);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, `${dir}/${name}`);
  await syncDirectory(dir);
}
