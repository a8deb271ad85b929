// The journal's files: the one records are written to, and the next one, created ahead of need
// (header written, file and directory fsynced) once the current one is half full, so a rotation
// switches handles instead of waiting for a file creation and two fsyncs.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createJournalFile } from './create-journal-file.js';
import { journalFileName } from './journal-file-header.js';
import { syncDirectory, type SyncFunction } from './journal-sync.js';

export class JournalFiles {
  private next: { readonly fileId: number; readonly handle: Promise<FileHandle> } | undefined;

  constructor(
    private readonly dir: string,
    private readonly sync: SyncFunction,
    private current: FileHandle,
    private currentId: number,
  ) {}

  get handle(): FileHandle {
    return this.current;
  }

  get fileId(): number {
    return this.currentId;
  }

  /** Starts creating the file after the current one, unless that has started already. */
  prepareNext(): void {
    if (this.next !== undefined) return;
    const handle = createJournalFile(this.dir, this.currentId + 1, this.sync);
    handle.catch(() => undefined); // the failure surfaces where the handle is awaited: rotate() or close()
    this.next = { fileId: this.currentId + 1, handle };
  }

  /**
   * Makes the next file current and closes the previous one. Every record of the previous file must be
   * synced before this is called (its handle is gone afterwards). Rejects if the next file could not be
   * created; the current file then stays current.
   */
  async rotate(): Promise<void> {
    this.prepareNext();
    const next = this.next!;
    this.next = undefined;
    const handle = await next.handle;
    const previous = this.current;
    this.current = handle;
    this.currentId = next.fileId;
    await previous.close();
  }

  /** Closes the current file and removes a next file that was created but never written to. */
  async close(): Promise<void> {
    const next = this.next;
    this.next = undefined;
    const unused = await next?.handle.catch(() => undefined);
    if (unused !== undefined) {
      await unused.close();
      await fs.rm(path.join(this.dir, journalFileName(next!.fileId)), { force: true });
      await syncDirectory(this.dir, this.sync);
    }
    await this.current.close();
  }
}
