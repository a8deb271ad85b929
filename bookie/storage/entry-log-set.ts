// The entry logs of one storage directory: the current log that takes appends (rotated at maxLogBytes),
// older logs that only serve reads, and the live-byte accounting compaction decides on.
import { rm } from 'node:fs/promises';
import { removeGradually } from '../files/index.js';
import { join } from 'node:path';
import { fsyncDir } from './durable-fs.js';
import { EntryLog, entryLogName } from './entry-log.js';
import { FILE_HEADER_SIZE } from './file-header.js';
import { FileHandleCache } from './file-handle-cache.js';

export interface AppendedRecord {
  logId: number;
  offset: number;
}

export class EntryLogSet {
  private readonly logs = new Map<number, EntryLog>();
  /** Logs holding bytes not yet written or not yet synced. */
  private readonly dirty = new Set<EntryLog>();
  private readonly handles: FileHandleCache;
  private current: EntryLog;
  private nextLogId: number;
  private unwrittenTotal = 0;

  private constructor(
    readonly dir: string,
    private readonly maxLogBytes: number,
    maxOpenLogs: number,
    existing: EntryLog[],
    /** Ids of files whose header never reached the disk; removed by `removeUnwritten()`. */
    readonly unwrittenIds: number[],
    firstFreeId: number,
  ) {
    this.handles = new FileHandleCache((id) => join(dir, entryLogName(id)), maxOpenLogs);
    for (const log of existing) this.logs.set(log.id, log);
    this.nextLogId = firstFreeId;
    this.current = this.startLog();
  }

  /**
   * Opens the given log files read-only and starts a fresh current log with an id above all of them and
   * above `minNextId` (so an id named by an old index record is never reused).
   */
  static async open(dir: string, ids: number[], maxLogBytes: number, maxOpenLogs: number, minNextId: number): Promise<EntryLogSet> {
    const existing: EntryLog[] = [];
    const unwritten: number[] = [];
    for (const id of ids) {
      const log = await EntryLog.open(dir, id);
      if (log === 'unwritten') unwritten.push(id);
      else existing.push(log);
    }
    const firstFree = Math.max(minNextId, ...ids.map((id) => id + 1), 1);
    return new EntryLogSet(dir, maxLogBytes, maxOpenLogs, existing, unwritten, firstFree);
  }

  get currentLogId(): number {
    return this.current.id;
  }

  get unwrittenBytes(): number {
    return this.unwrittenTotal;
  }

  get(logId: number): EntryLog | undefined {
    return this.logs.get(logId);
  }

  all(): IterableIterator<EntryLog> {
    return this.logs.values();
  }

  /** Read statistics of the file handles (reads issued, bytes read). */
  get readStats(): { reads: number; bytesRead: number } {
    return { reads: this.handles.reads, bytesRead: this.handles.bytesRead };
  }

  /** Appends a record to the current log, rotating first if it would pass maxLogBytes. */
  append(header: Buffer, payload: Buffer): AppendedRecord {
    const bytes = header.length + payload.length;
    if (this.current.size > FILE_HEADER_SIZE && this.current.size + bytes > this.maxLogBytes) this.current = this.startLog();
    const log = this.current;
    const offset = log.append(header, payload);
    log.liveBytes += bytes;
    this.unwrittenTotal += bytes;
    this.dirty.add(log);
    return { logId: log.id, offset };
  }

  /** The record at this location no longer belongs to the index. */
  release(logId: number, recordBytes: number): void {
    const log = this.logs.get(logId);
    if (log !== undefined) log.liveBytes -= recordBytes;
  }

  /** The payload of a record that is still only in memory. */
  buffered(logId: number, offset: number): Buffer | undefined {
    return this.logs.get(logId)?.buffered(offset);
  }

  isDurable(logId: number, offset: number, payloadLength: number): boolean {
    return this.logs.get(logId)?.isDurable(offset, payloadLength) ?? false;
  }

  /** Reads `length` bytes of log `logId` from its file. */
  read(logId: number, offset: number, length: number): Promise<Buffer> {
    return this.handles.read(logId, offset, length);
  }

  /** Hands every buffered record to its file, oldest log first; no sync. Returns true if a file was created. */
  async writeAll(): Promise<boolean> {
    let created = false;
    for (const log of [...this.dirty].sort((a, b) => a.id - b.id)) {
      if (await log.write()) created = true;
    }
    this.unwrittenTotal = 0;
    for (const log of this.dirty) this.unwrittenTotal += log.unwrittenBytes;
    return created;
  }

  /**
   * Makes every record appended before this call durable: write, fdatasync each log, fsync the directory
   * when a log file was created (before any index record can name it).
   */
  async flush(): Promise<void> {
    const created = await this.writeAll();
    const logs = [...this.dirty];
    await Promise.all(logs.map((log) => log.sync()));
    if (created) await fsyncDir(this.dir);
    for (const log of logs) {
      if (log !== this.current && log.unwrittenBytes === 0 && log.synced === log.size) {
        await log.closeWriter();
        this.dirty.delete(log);
      }
    }
  }

  /** Logs other than the current one: the only ones compaction may rewrite. */
  sealed(): EntryLog[] {
    return [...this.logs.values()].filter((log) => log !== this.current);
  }

  /**
   * Deletes log files whose records the durable index no longer names, each shrunk step by step before
   * the unlink (a 64 MiB file freed at once stalled the next journal fdatasync on the same disk for
   * ~30 ms; an entry log holds up to 256 MiB); returns the bytes freed.
   */
  async remove(logs: EntryLog[]): Promise<number> {
    let freed = 0;
    for (const log of logs) {
      this.logs.delete(log.id);
      this.dirty.delete(log);
      await log.closeWriter();
      await this.handles.forget(log.id);
      await removeGradually(log.path);
      freed += log.size;
    }
    if (logs.length > 0) await fsyncDir(this.dir);
    return freed;
  }

  /** Deletes files found at open whose header never reached the disk (nothing can name them). */
  async removeUnwritten(): Promise<void> {
    for (const id of this.unwrittenIds) await rm(join(this.dir, entryLogName(id)), { force: true });
    if (this.unwrittenIds.length > 0) await fsyncDir(this.dir);
  }

  /** Closes every file; records not yet written are dropped (the journal still holds them). */
  async close(): Promise<void> {
    for (const log of this.logs.values()) await log.closeWriter();
    await this.handles.closeAll();
  }

  private startLog(): EntryLog {
    const log = EntryLog.fresh(this.dir, this.nextLogId++);
    this.logs.set(log.id, log);
    return log;
  }
}
