// The embedded store's durability: a snapshot file plus a write-ahead log of committed revisions.
// Contract: a commit's promise resolves only after its record is fdatasync'ed; commits that arrive
// while a sync runs share the next one (group commit). A failed write or sync breaks the log for good.
import fs from 'node:fs/promises';
import path from 'node:path';
import { StoreUnavailableError } from '../errors.js';
import { encodeHeader, encodeRecord, HEADER_BYTES, readRecordFile, syncDirectory, writeFileAtomically } from './record-file.js';

const WAL_MAGIC = 0x53544d57; // "STMW"
const SNAPSHOT_MAGIC = 0x53544d53; // "STMS"
const WAL = 'wal.log';
const SNAPSHOT = 'snapshot.bin';

export interface Recovered {
  snapshot: Buffer | undefined;
  /** Bodies of the log records written after the snapshot was taken, in commit order. */
  records: Buffer[];
}

export class MetadataLog {
  private pending: Buffer[] = [];
  private pendingWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private syncing = false;
  private rewriting = false;
  private failure: Error | undefined;
  private walBytes = 0;
  private idle: Array<() => void> = [];

  private constructor(
    private readonly dir: string,
    private handle: fs.FileHandle,
  ) {}

  /** Opens the log in `dir`, cutting a torn tail; returns what must be replayed. */
  static async open(dir: string): Promise<{ log: MetadataLog; recovered: Recovered }> {
    await fs.mkdir(dir, { recursive: true });
    const snap = await readRecordFile(path.join(dir, SNAPSHOT), SNAPSHOT_MAGIC);
    const wal = await readRecordFile(path.join(dir, WAL), WAL_MAGIC);
    const walPath = path.join(dir, WAL);
    let handle: fs.FileHandle;
    if (!wal || wal.validLength < HEADER_BYTES) {
      await writeFileAtomically(dir, WAL, [encodeHeader(WAL_MAGIC)]);
      handle = await fs.open(walPath, 'r+');
    } else {
      handle = await fs.open(walPath, 'r+');
      const { size } = await handle.stat();
      if (size > wal.validLength) {
        await handle.truncate(wal.validLength);
        await handle.datasync();
      }
    }
    const log = new MetadataLog(dir, handle);
    log.walBytes = wal?.validLength ?? HEADER_BYTES;
    return { log, recovered: { snapshot: snap?.bodies[0], records: wal?.bodies ?? [] } };
  }

  get sizeBytes(): number {
    return this.walBytes;
  }

  /** Appends a committed revision's record; resolves once it is durable. */
  append(body: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending.push(...encodeRecord(body));
    const done = new Promise<void>((resolve, reject) => this.pendingWaiters.push({ resolve, reject }));
    if (!this.syncing && !this.rewriting) void this.syncLoop();
    return done;
  }

  /** Resolves once everything appended so far is durable. */
  async barrier(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.syncing && (this.pending.length === 0 || this.rewriting)) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.failure) throw this.failure;
  }

  private async syncLoop(): Promise<void> {
    this.syncing = true;
    while (this.pending.length > 0 && !this.failure && !this.rewriting) {
      const buffers = this.pending;
      const waiters = this.pendingWaiters;
      this.pending = [];
      this.pendingWaiters = [];
      try {
        let bytes = 0;
        for (const b of buffers) bytes += b.length;
        await this.handle.writev(buffers, this.walBytes);
        await this.handle.datasync();
        this.walBytes += bytes;
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.failure = new StoreUnavailableError(`metadata log write failed; the store must be reopened: ${(err as Error).message}`, { cause: err });
        for (const w of [...waiters, ...this.pendingWaiters]) w.reject(this.failure);
        this.pending = [];
        this.pendingWaiters = [];
      }
    }
    this.syncing = false;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }

  /**
   * Replaces snapshot and log by `snapshot`, the state at the last revision appended before this
   * call. Records appended meanwhile wait and go to the new log. A crash at any point leaves a
   * readable pair: replay skips records whose revision the snapshot already covers.
   */
  async rewrite(snapshot: Buffer): Promise<void> {
    if (this.rewriting) return;
    this.rewriting = true;
    try {
      await this.barrier();
      await writeFileAtomically(this.dir, SNAPSHOT, [encodeHeader(SNAPSHOT_MAGIC), ...encodeRecord(snapshot)]);
      await this.handle.close();
      await writeFileAtomically(this.dir, WAL, [encodeHeader(WAL_MAGIC)]);
      this.handle = await fs.open(path.join(this.dir, WAL), 'r+');
      this.walBytes = HEADER_BYTES;
    } catch (err) {
      this.failure ??= new StoreUnavailableError(`metadata snapshot failed; the store must be reopened: ${(err as Error).message}`, { cause: err });
      for (const w of this.pendingWaiters) w.reject(this.failure);
      this.pending = [];
      this.pendingWaiters = [];
      throw this.failure;
    } finally {
      this.rewriting = false;
    }
    if (this.pending.length > 0 && !this.syncing) void this.syncLoop();
  }

  async close(): Promise<void> {
    await this.barrier().catch(() => undefined);
    await this.handle.close();
    await syncDirectory(this.dir).catch(() => undefined);
  }
}
