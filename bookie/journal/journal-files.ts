// The journal's files: the one records are written to, and the next one, created ahead of need
// (header written, file and directory fsynced) once the current one is half full, so a rotation
// switches handles instead of waiting for a file creation and two fsyncs.
//
// Contract: records go to the next file only after every record of the current one is synced (the
// journal's pipeline waits for that before rotate()), so a file created ahead holds nothing but its
// header until then — replay relies on it.
import type { FileHandle } from 'node:fs/promises';
import { createJournalFile, removeJournalFiles } from './create-journal-file.js';
import type { SyncFunction } from './journal-sync.js';

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
    handle.catch(() => undefined); // awaited (and retried) by rotate(), or dropped by close()
    this.next = { fileId: this.currentId + 1, handle };
  }

  /**
   * Makes file `fileId` (the one after the current file) current and closes the previous one, whose
   * records must all be synced. If creating it ahead failed, it is created once more here; a second
   * failure rejects, and the current file stays current.
   */
  async rotate(fileId: number): Promise<void> {
    if (fileId !== this.currentId + 1) throw new Error(`journal rotation to file ${fileId} from file ${this.currentId}`);
    this.prepareNext();
    const next = this.next!;
    this.next = undefined;
    const handle = await next.handle.catch(() => createJournalFile(this.dir, fileId, this.sync));
    const previous = this.current;
    this.current = handle;
    this.currentId = fileId;
    await previous.close();
  }

  /** Closes the current file, and removes a next file that was created ahead but never written to. */
  async close(): Promise<void> {
    const next = this.next;
    this.next = undefined;
    try {
      const unused = await next?.handle.catch(() => undefined);
      if (unused !== undefined) {
        await unused.close();
        await removeJournalFiles(this.dir, [next!.fileId], this.sync);
      }
    } finally {
      await this.current.close();
    }
  }
}
