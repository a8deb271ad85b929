// File-system steps whose order durability depends on: full reads and writes, directory fsync, atomic replace.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageCorruptError } from './errors.js';

/** Makes creations, renames and deletions of entries in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads exactly `length` bytes at `position`; a file that ends earlier is damage, named by `what`. */
export async function readFully(handle: FileHandle, length: number, position: number, what: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new StorageCorruptError(`${what}: file ends at ${position + done}, expected ${length - done} more bytes`);
    done += bytesRead;
  }
  return buf;
}

/** Writes every buffer at `position` (libuv already loops over IOV_MAX; this also resumes a short write). */
export async function writevFully(handle: FileHandle, buffers: Buffer[], position: number): Promise<number> {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = 0;
  let pending = buffers;
  while (written < total) {
    const { bytesWritten } = await handle.writev(pending, position + written);
    if (bytesWritten <= 0) throw new Error(`writev wrote ${bytesWritten} bytes`);
    written += bytesWritten;
    if (written < total) pending = dropPrefix(pending, bytesWritten);
  }
  return total;
}

function dropPrefix(buffers: Buffer[], bytes: number): Buffer[] {
  let i = 0;
  while (bytes > 0 && bytes >= buffers[i]!.length) bytes -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (bytes > 0) rest[0] = rest[0]!.subarray(bytes);
  return rest;
}

/**
 * Replaces `dir/name` atomically with the given chunks: write `name.tmp`, fsync it, rename over `name`,
 * fsync the directory. A crash leaves either the old file or the new one (and maybe a stale .tmp).
 */
export async function replaceFileAtomically(dir: string, name: string, chunks: Iterable<Buffer>): Promise<number> {
  const tmp = join(dir, `${name}.tmp`);
  const handle = await open(tmp, 'w');
  let size = 0;
  try {
    for (const chunk of chunks) size += await writevFully(handle, [chunk], size);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
  return size;
}
