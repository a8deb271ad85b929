// Read-only handles to entry log files, at most `capacity` open; the least recently used idle one is closed first.
import { open, type FileHandle } from 'node:fs/promises';
import { readFully } from './durable-fs.js';

interface Slot {
  handle: Promise<FileHandle>;
  /** Reads in progress; a slot is closed only when it has none. */
  users: number;
  /** The file was removed: close as soon as it is idle and never hand it out again. */
  forgotten: boolean;
}

export class FileHandleCache {
  private readonly slots = new Map<number, Slot>();
  /** Reads issued to files, and bytes they returned (the "served from the index, no scanning" evidence). */
  reads = 0;
  bytesRead = 0;

  constructor(
    private readonly pathOf: (id: number) => string,
    private readonly capacity: number,
  ) {}

  /** Reads exactly `length` bytes at `position` of file `id`. */
  async read(id: number, position: number, length: number): Promise<Buffer> {
    const slot = this.acquire(id);
    try {
      const handle = await slot.handle;
      this.reads++;
      const buf = await readFully(handle, length, position, this.pathOf(id));
      this.bytesRead += length;
      return buf;
    } finally {
      slot.users--;
      if (slot.forgotten && slot.users === 0) await closeQuietly(slot.handle);
      else await this.closeIdle();
    }
  }

  /** Drops the handle of a file that is being deleted; an ongoing read finishes on the open handle. */
  async forget(id: number): Promise<void> {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    slot.forgotten = true;
    this.slots.delete(id);
    if (slot.users === 0) await closeQuietly(slot.handle);
  }

  async closeAll(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map((s) => closeQuietly(s.handle)));
  }

  private acquire(id: number): Slot {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = { handle: open(this.pathOf(id), 'r'), users: 0, forgotten: false };
      // An open that failed is not cached: the next read retries it.
      const failed = slot;
      slot.handle.catch(() => {
        if (this.slots.get(id) === failed) this.slots.delete(id);
      });
    } else {
      this.slots.delete(id); // re-inserted below: Map order is the LRU order
    }
    this.slots.set(id, slot);
    slot.users++;
    return slot;
  }

  private async closeIdle(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [id, slot] of this.slots) {
      if (this.slots.size <= this.capacity) break;
      if (slot.users > 0) continue;
      this.slots.delete(id);
      closing.push(closeQuietly(slot.handle));
    }
    await Promise.all(closing);
  }
}

async function closeQuietly(handle: Promise<FileHandle>): Promise<void> {
  try {
    await (await handle).close();
  } catch {
    // an open that failed has nothing to close
  }
}
