// Creating a journal file: a new id (never an existing file), its header, and both the file and
// its directory entry fsynced before the handle is returned, so no record in it is acknowledged
// while the file itself could still vanish in a crash.
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

/** Creates journal file `fileId` in `dir`; records go at offsets from JOURNAL_HEADER_BYTES on. */
export async function createJournalFile(dir: string, fileId: number, sync: SyncFunction): Promise<FileHandle> {
  const handle = await fs.open(path.join(dir, journalFileName(fileId)), 'wx');
  try {
    await writeFully(handle, [encodeJournalHeader(fileId)], 0, JOURNAL_HEADER_BYTES);
    await sync(handle, 'file');
    await syncDirectory(dir, sync);
    return handle;
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}
