// Deleting a file of many megabytes at once frees all its blocks in one file-system commit; on a disk
// mounted with online discard (ext4 `-o discard`) that commit takes tens of milliseconds, and every
// fdatasync waiting for it — the journal's group commit included — waits as long. Shrinking the file
// in steps, each its own small commit with a pause after it, spreads that work out.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export interface GradualRemoval {
  /** Bytes freed per step. Default 4 MiB. */
  readonly stepBytes?: number;
  /** Pause after each step, so syncs of other files run in between. Default 10 ms. */
  readonly pauseMs?: number;
  /** Makes one step durable (its own commit). Default: fdatasync. */
  readonly sync?: (handle: FileHandle) => Promise<void>;
}

const datasync = (handle: FileHandle): Promise<void> => handle.datasync();

/** Shrinks `file` step by step, then unlinks it. A file that does not exist is not an error. */
export async function removeGradually(file: string, { stepBytes = 4 * 1024 * 1024, pauseMs = 10, sync = datasync }: GradualRemoval = {}): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    for (let size = (await handle.stat()).size - stepBytes; size > 0; size -= stepBytes) {
      await handle.truncate(size);
      await sync(handle);
      await delay(pauseMs);
    }
  } finally {
    await handle.close();
  }
  await fs.rm(file, { force: true });
}
