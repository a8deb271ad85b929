// The one place the journal makes things durable. Every sync goes through a SyncFunction, so
// tests (and fault injection) can observe, delay or fail each one.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * - `data`: fdatasync of journal records (the group-commit sync);
 * - `file`: fsync of a file just created, truncated or written whole (its size and metadata too);
 * - `directory`: fsync of the journal directory after a file was created, renamed or removed.
 */
export type SyncKind = 'data' | 'file' | 'directory';

/** Makes what was written through `handle` durable. A rejection is final: it is never retried. */
export type SyncFunction = (handle: FileHandle, kind: SyncKind) => Promise<void>;

export const defaultSync: SyncFunction = (handle, kind) => (kind === 'data' ? handle.datasync() : handle.sync());

/** fsyncs directory `dir` so that entries created, renamed or removed in it are durable. */
export async function syncDirectory(dir: string, sync: SyncFunction): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await sync(handle, 'directory');
  } finally {
    await handle.close();
  }
}

/** Writes all of `buffers` at `position`, continuing after short writes. */
export async function writeFully(handle: FileHandle, buffers: Buffer[], position: number, bytes: number): Promise<void> {
  let written = (await handle.writev(buffers, position)).bytesWritten;
  if (written === bytes) return;
  // A short write (rare: libuv already loops): continue with what is left.
  let rest = buffers;
  let done = written;
  while (done < bytes) {
    let skip = written;
    let i = 0;
    while (skip >= rest[i].length) skip -= rest[i++].length;
    rest = [rest[i].subarray(skip), ...rest.slice(i + 1)];
    written = (await handle.writev(rest, position + done)).bytesWritten;
    if (written === 0) throw new Error(`journal write made no progress at offset ${position + done}`);
    done += written;
  }
}
