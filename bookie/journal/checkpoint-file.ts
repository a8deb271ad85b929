// The journal's checkpoint file: the position up to which every record is durable elsewhere (the
// ledger storage), so replay starts after it. Replaced atomically: tmp, fsync, rename, fsync dir.
//
//   magic:u32be 'SJCP' | version:u16be | reserved:u16be (0) | fileId:u64be | offset:u64be | crc32c:u32be
//   (28 bytes; the crc covers the 24 bytes before it)
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { JournalCorruptError, JournalFormatError } from './errors.js';
import { readU64, writeU64 } from './journal-file-header.js';
import type { JournalPosition } from './journal-position.js';
import { syncDirectory, type SyncFunction } from './journal-sync.js';

export const CHECKPOINT_FILE = 'checkpoint';
export const CHECKPOINT_TMP_FILE = 'checkpoint.tmp';
export const CHECKPOINT_MAGIC = 0x534a4350; // 'SJCP'
export const CHECKPOINT_FORMAT_VERSION = 1;
const CHECKPOINT_BYTES = 28;

/** The checkpointed position of the journal in `dir`, or undefined when none was ever written. */
export async function readCheckpoint(dir: string): Promise<JournalPosition | undefined> {
  const file = path.join(dir, CHECKPOINT_FILE);
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // The file is only ever renamed into place complete, so anything odd is damage, not a tear.
  if (data.length >= 4 && data.readUInt32BE(0) !== CHECKPOINT_MAGIC) {
    throw new JournalFormatError(file, `not a Strata journal checkpoint (magic 0x${data.readUInt32BE(0).toString(16)})`);
  }
  if (data.length >= 6 && data.readUInt16BE(4) !== CHECKPOINT_FORMAT_VERSION) {
    throw new JournalFormatError(file, `unsupported checkpoint format version ${data.readUInt16BE(4)} (this build reads ${CHECKPOINT_FORMAT_VERSION})`);
  }
  if (data.length !== CHECKPOINT_BYTES) {
    throw new JournalCorruptError(file, 0, `checkpoint file is ${data.length} bytes, expected ${CHECKPOINT_BYTES}`);
  }
  if (crc32c(data.subarray(0, 24)) !== data.readUInt32BE(24)) {
    throw new JournalCorruptError(file, 24, 'checkpoint checksum mismatch');
  }
  const fileId = readU64(data, 8);
  const offset = readU64(data, 16);
  if (fileId === undefined || offset === undefined) throw new JournalCorruptError(file, 8, 'checkpoint position out of range');
  return { fileId, offset };
}

/** Durably replaces the checkpoint of `dir` with `position`; when it resolves the new one holds. */
export async function writeCheckpoint(dir: string, position: JournalPosition, sync: SyncFunction): Promise<void> {
  const data = Buffer.alloc(CHECKPOINT_BYTES);
  data.writeUInt32BE(CHECKPOINT_MAGIC, 0);
  data.writeUInt16BE(CHECKPOINT_FORMAT_VERSION, 4);
  writeU64(data, 8, position.fileId);
  writeU64(data, 16, position.offset);
  data.writeUInt32BE(crc32c(data.subarray(0, 24)), 24);
  const tmp = path.join(dir, CHECKPOINT_TMP_FILE);
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await sync(handle, 'file');
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, path.join(dir, CHECKPOINT_FILE));
  await syncDirectory(dir, sync);
}
