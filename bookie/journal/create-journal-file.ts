// Creating and removing journal files. A new file gets a new id (never an existing file) and its
// header, and both the file and its directory entry are fsynced before the handle is returned, so no
// record in it is acknowledged while the file itself could still vanish in a crash.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { JOURNAL_HEADER_BYTES, encodeJournalHeader, journalFileName } from './journal-file-header.js';
import { syncDirectory, writeFully, type SyncFunction } from './journal-sync.js';

/** Creates `dir` if missing, fsyncing the parents whose entries changed. */
export async function ensureJournalDirectory(dir: string, sync: SyncFunction): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let created = path.resolve(dir); ; created = path.dirname(created)) {
    await syncDirectory(path.dirname(created), sync);
    if (created === path.resolve(first)) return;
  }
}

/**
 * Creates journal file `fileId` in `dir`; records go at offsets from JOURNAL_HEADER_BYTES on. On a
 * failure the partial file is removed (best effort), so that the creation can be tried again.
 */
export async function createJournalFile(dir: string, fileId: number, sync: SyncFunction): Promise<FileHandle> {
  const file = path.join(dir, journalFileName(fileId));
  const handle = await fs.open(file, 'wx');
  try {
    await writeFully(handle, [encodeJournalHeader(fileId)], 0, JOURNAL_HEADER_BYTES);
    await sync(handle, 'file');
    await syncDirectory(dir, sync);
    return handle;
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(file, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Removes journal files that hold nothing acknowledged (never written to, or torn), then syncs the directory. */
export async function removeJournalFiles(dir: string, fileIds: readonly number[], sync: SyncFunction): Promise<void> {
  if (fileIds.length === 0) return;
  for (const id of fileIds) await fs.rm(path.join(dir, journalFileName(id)), { force: true });
  await syncDirectory(dir, sync);
}
