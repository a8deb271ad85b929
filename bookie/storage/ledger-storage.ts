// The bookie's ledger storage: entry logs plus an in-memory index, serving reads; durable at checkpoints.
//
// Contracts:
// - addEntry only buffers. Nothing is durable until a checkpoint() that started after it resolves; after a
//   crash the storage holds at least what the last completed checkpoint covered, and the journal replays
//   the rest (which is why re-adds must be idempotent: same bytes → 'duplicate', different → error).
// - checkpoint() = flush the entry logs (write, fdatasync, fsync the directory for new files) → append the
//   index records gathered since the last checkpoint (or rewrite the index log) and fsync → return. An index
//   record therefore only ever names bytes already on disk. The caller records its journal checkpoint only
//   after checkpoint() resolves.
// - Fence flags and LACs are durable only at a checkpoint too: until then the journal must carry them.
// - Compaction copies live entries forward, checkpoints, and only then deletes the old files.
// - Memory changes are synchronous; file work runs one operation at a time through a SerialQueue.
import { crc32c } from '@node-rs/crc32';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { compactEntryLogs, compactionCandidates, type CompactionHost, type CompactionResult } from './compactor.js';
import { fsyncDir } from './durable-fs.js';
import { EntryLogSet } from './entry-log-set.js';
import { parseEntryLogName } from './entry-log.js';
import { EntryReader } from './entry-reader.js';
import { encodeRecordHeader, recordSize } from './entry-record.js';
import { EntryExistsDifferentError, InvalidArgumentError, StorageClosedError, StorageCorruptError, StorageFailedError } from './errors.js';
import { FILE_HEADER_SIZE } from './file-header.js';
import { IndexChanges } from './index-changes.js';
import { IndexLog, INDEX_LOG_NAME } from './index-log.js';
import { isId } from './int64.js';
import { LedgerTable } from './ledger-table.js';
import { SerialQueue } from './serial-queue.js';
import { MAX_LOG_BYTES, resolveStorageOptions, type LedgerStorageOptions, type ResolvedStorageOptions } from './storage-options.js';

export type AddResult = 'added' | 'duplicate';

/** Shared, already settled: the common path of addEntry allocates no promise. */
const ADDED: Promise<AddResult> = Promise.resolve('added');
const SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface StorageStats {
  ledgers: number;
  /** Entry logs, including the current one. */
  entryLogs: number;
  entryLogBytes: number;
  liveBytes: number;
  unwrittenBytes: number;
  indexLogBytes: number;
  indexLogRecords: number;
  /** Reads issued to entry log files, and the bytes they returned. */
  fileReads: number;
  bytesRead: number;
}

export class LedgerStorage {
  private readonly changes = new IndexChanges();
  private readonly queue = new SerialQueue();
  private readonly reader: EntryReader;
  private closed = false;
  private failure: unknown = undefined;
  private writeBehindQueued = false;
  /** Entry bytes appended since the logs were last fdatasync'ed. */
  private unsyncedBytes = 0;

  private constructor(
    readonly dir: string,
    private readonly options: ResolvedStorageOptions,
    private readonly table: LedgerTable,
    private readonly logs: EntryLogSet,
    private readonly indexLog: IndexLog,
  ) {
    this.reader = new EntryReader(table, logs);
  }

  /**
   * Opens (or creates) the storage in `dir`: replays the index log (cutting a torn tail), checks every
   * file's magic and version (StorageFormatError) and that every index record points into an existing
   * entry log (StorageCorruptError).
   */
  static async open(dir: string, options: LedgerStorageOptions = {}): Promise<LedgerStorage> {
    const resolved = resolveStorageOptions(options);
    const made = await mkdir(dir, { recursive: true });
    if (made !== undefined) await fsyncDir(dirname(made));
    const logIds = (await readdir(dir))
      .map(parseEntryLogName)
      .filter((id): id is number => id !== undefined)
      .sort((a, b) => a - b);
    const table = new LedgerTable();
    let indexLog: IndexLog;
    if (await IndexLog.exists(dir)) indexLog = await IndexLog.open(dir, table);
    else if (logIds.length > 0) throw new StorageCorruptError(`${dir} holds entry logs but no ${INDEX_LOG_NAME}: refusing to serve without its index`);
    else indexLog = await IndexLog.create(dir);
    try {
      const logs = await EntryLogSet.open(dir, logIds, resolved.maxLogBytes, resolved.maxOpenLogs, table.maxLogIdSeen + 1);
      accountLiveBytes(table, logs);
      await logs.removeUnwritten();
      return new LedgerStorage(dir, resolved, table, logs, indexLog);
    } catch (err) {
      await indexLog.close();
      throw err;
    }
  }

  /**
   * Buffers an entry (the payload Buffer is kept, not copied: the caller must not change it). Resolves
   * 'added', or 'duplicate' when the same bytes are already stored; rejects with EntryExistsDifferentError
   * when different bytes are. `payloadCrc`, when given, must be the CRC32C of `payload` (saves computing it).
   * Fencing is the caller's concern: storage accepts adds to fenced ledgers.
   */
  addEntry(ledgerId: number, entryId: number, payload: Buffer, payloadCrc?: number): Promise<AddResult> {
    try {
      this.checkWritable();
      checkIds(ledgerId, entryId);
      const state = this.table.get(ledgerId);
      const slot = state === undefined ? -1 : state.entries.find(entryId);
      if (state !== undefined && slot >= 0) {
        if (state.entries.lengthAt(slot) !== payload.length) throw new EntryExistsDifferentError(ledgerId, entryId);
        return this.compareStored(ledgerId, entryId, payload, payloadCrc);
      }
      if (FILE_HEADER_SIZE + recordSize(payload.length) > MAX_LOG_BYTES) {
        throw new InvalidArgumentError(`entry ${ledgerId}:${entryId} of ${payload.length} bytes is too large`);
      }
      const target = state ?? this.table.getOrCreate(ledgerId);
      target.entries.reserve(entryId);
      const header = encodeRecordHeader(ledgerId, entryId, payload.length, payloadCrc ?? crc32c(payload));
      const { logId, offset } = this.logs.append(header, payload);
      target.entries.set(entryId, logId, offset, payload.length);
      this.changes.entry(ledgerId, entryId, logId, offset, payload.length);
      this.unsyncedBytes += header.length + payload.length;
      if (this.logs.unwrittenBytes >= this.options.writeBufferBytes) this.scheduleWriteBehind();
      return ADDED;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The payload, or undefined when the entry is not stored. Verifies the CRC (EntryChecksumError). */
  async readEntry(ledgerId: number, entryId: number): Promise<Buffer | undefined> {
    this.checkOpen();
    checkIds(ledgerId, entryId);
    return this.reader.readEntry(ledgerId, entryId);
  }

  /**
   * Entries first..last in order, stopping before the first one not stored and before the payload bytes
   * would exceed maxBytes (the first entry is returned whatever its size). Adjacent records are read at once.
   */
  async readRange(ledgerId: number, firstEntryId: number, lastEntryId: number, maxBytes: number): Promise<Buffer[]> {
    this.checkOpen();
    checkIds(ledgerId, firstEntryId);
    checkIds(ledgerId, lastEntryId);
    return this.reader.readRange(ledgerId, firstEntryId, lastEntryId, maxBytes);
  }

  /** Whether the entry is stored (an index lookup, no I/O). */
  hasEntry(ledgerId: number, entryId: number): boolean {
    this.checkOpen();
    const state = this.table.get(ledgerId);
    return state !== undefined && state.entries.find(entryId) >= 0;
  }

  hasLedger(ledgerId: number): boolean {
    this.checkOpen();
    return this.table.get(ledgerId) !== undefined;
  }

  /** Highest entry id stored for the ledger, undefined when it has none. */
  lastEntryId(ledgerId: number): number | undefined {
    this.checkOpen();
    const entries = this.table.get(ledgerId)?.entries;
    return entries === undefined || entries.count === 0 ? undefined : entries.maxEntryId;
  }

  /** Marks the ledger fenced (creating its state if needed); idempotent, never undone. True if it was not fenced before. */
  setFenced(ledgerId: number): boolean {
    this.checkWritable();
    checkIds(ledgerId, 0);
    const state = this.table.getOrCreate(ledgerId);
    if (state.fenced) return false;
    state.fenced = true;
    this.changes.fenced(ledgerId);
    return true;
  }

  isFenced(ledgerId: number): boolean {
    this.checkOpen();
    return this.table.get(ledgerId)?.fenced ?? false;
  }

  /** Raises the ledger's LAC to `lac` if higher (a lower one is ignored); creates the ledger's state if needed. */
  updateLac(ledgerId: number, lac: number): void {
    this.checkWritable();
    checkIds(ledgerId, lac + 1);
    const state = this.table.getOrCreate(ledgerId);
    if (lac > state.lac) {
      state.lac = lac;
      this.changes.lacRaised(ledgerId);
    }
  }

  /** Highest LAC seen, undefined when none was. */
  getLac(ledgerId: number): number | undefined {
    this.checkOpen();
    const lac = this.table.get(ledgerId)?.lac ?? -1;
    return lac >= 0 ? lac : undefined;
  }

  /**
   * Forgets the ledger now (reads answer undefined at once); its space is reclaimed by compaction. The delete
   * is durable at the next checkpoint; the deleter (the bookie's GC) repeats it if a crash comes first.
   */
  deleteLedger(ledgerId: number): boolean {
    this.checkWritable();
    const state = this.table.remove(ledgerId);
    if (state === undefined) return false;
    state.entries.forEach((_entryId, logId, _offset, length) => this.logs.release(logId, recordSize(length)));
    this.changes.deleted(ledgerId);
    return true;
  }

  /** Writes and fsyncs every buffered entry (not the index: that is checkpoint()). */
  async flush(): Promise<void> {
    this.checkWritable();
    await this.queue.run(() => this.guard(() => this.logs.flush()));
  }

  /** Makes everything added, fenced, LAC-raised and deleted before this call durable (see the file comment). */
  async checkpoint(): Promise<void> {
    this.checkWritable();
    await this.queue.run(() => this.checkpointLocked());
  }

  /** Rewrites the sealed entry logs whose live ratio is below `threshold` (default: the configured one). */
  async compact(threshold = this.options.compactionThreshold): Promise<CompactionResult> {
    this.checkWritable();
    if (!(threshold >= 0 && threshold <= 1)) throw new InvalidArgumentError(`threshold must be within [0, 1], got ${threshold}`);
    const host: CompactionHost = {
      table: this.table,
      logs: this.logs,
      reader: this.reader,
      changes: this.changes,
      writeBufferBytes: this.options.writeBufferBytes,
      checkpoint: () => this.checkpointLocked(),
      guard: (op) => this.guard(op),
    };
    return this.queue.run(() => {
      this.checkNotFailed();
      return compactEntryLogs(host, threshold);
    });
  }

  /** The periodic policy: compacts only when some sealed entry log's live ratio is below the configured threshold. */
  async maybeCompact(): Promise<CompactionResult | undefined> {
    this.checkWritable();
    return compactionCandidates(this.logs, this.options.compactionThreshold).length > 0 ? this.compact() : undefined;
  }

  stats(): StorageStats {
    let entryLogs = 0;
    let entryLogBytes = 0;
    let liveBytes = 0;
    for (const log of this.logs.all()) {
      entryLogs++;
      entryLogBytes += log.size;
      liveBytes += log.liveBytes;
    }
    const { reads, bytesRead } = this.logs.readStats;
    return {
      ledgers: this.table.size,
      entryLogs,
      entryLogBytes,
      liveBytes,
      unwrittenBytes: this.logs.unwrittenBytes,
      indexLogBytes: this.indexLog.size,
      indexLogRecords: this.indexLog.recordCount,
      fileReads: reads,
      bytesRead,
    };
  }

  /** Releases the files. Does not checkpoint: whatever the last checkpoint did not cover is dropped (the journal holds it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.run(async () => {
      await this.logs.close();
      await this.indexLog.close();
    });
  }

  private async checkpointLocked(): Promise<void> {
    this.unsyncedBytes = 0;
    this.checkNotFailed();
    const batch = this.changes.cut(this.table);
    await this.guard(async () => {
      await this.logs.flush();
      const live = this.table.liveRecordCount();
      const dead = this.indexLog.recordCount + batch.count - live;
      if (dead > live && dead > this.options.indexRewriteMinDeadRecords) {
        // The snapshot covers the batch: every entry in it is durable now, and what changed since is in `changes`.
        const isDurable = (logId: number, offset: number, length: number): boolean => this.logs.isDurable(logId, offset, length);
        await this.indexLog.rewrite(this.table.snapshotChunks(isDurable, SNAPSHOT_CHUNK_BYTES));
      } else {
        await this.indexLog.append(batch);
      }
    });
  }

  private async compareStored(ledgerId: number, entryId: number, payload: Buffer, payloadCrc?: number): Promise<AddResult> {
    const stored = await this.reader.readEntry(ledgerId, entryId);
    if (stored === undefined) return this.addEntry(ledgerId, entryId, payload, payloadCrc); // deleted meanwhile
    if (!stored.equals(payload)) throw new EntryExistsDifferentError(ledgerId, entryId);
    return 'duplicate';
  }

  /** Starts writing buffered records in the background (no fsync) so that buffered memory stays bounded. */
  private scheduleWriteBehind(): void {
    if (this.writeBehindQueued) return;
    this.writeBehindQueued = true;
    void this.queue
      .run(async () => {
        this.writeBehindQueued = false;
        if (this.failure !== undefined || this.closed) return;
        if (this.unsyncedBytes >= this.options.syncBehindBytes) {
          this.unsyncedBytes = 0;
          await this.guard(() => this.logs.flush());
        } else {
          await this.guard(() => this.logs.writeAll());
        }
      })
      .catch(() => undefined); // recorded in this.failure; the next mutation reports it
  }

  /** Runs file work whose failure leaves the files in an unknown state: afterwards every mutation is refused. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageClosedError();
  }

  private checkWritable(): void {
    this.checkOpen();
    this.checkNotFailed();
  }

  private checkNotFailed(): void {
    if (this.failure !== undefined) throw new StorageFailedError({ cause: this.failure });
  }
}

function checkIds(ledgerId: number, entryId: number): void {
  if (!isId(ledgerId) || !isId(entryId)) throw new InvalidArgumentError(`ids must be safe integers ≥ 0, got ${ledgerId}:${entryId}`);
}

/** Checks that every index record names bytes inside an existing entry log, and counts each log's live bytes. */
function accountLiveBytes(table: LedgerTable, logs: EntryLogSet): void {
  for (const [ledgerId, state] of table.states()) {
    state.entries.forEach((entryId, logId, offset, length) => {
      const log = logs.get(logId);
      const end = offset + recordSize(length);
      if (log === undefined || offset < FILE_HEADER_SIZE || end > log.size) {
        const where = log === undefined ? `entry log ${logId}, which is missing or was never written` : `${log.path} at ${offset}..${end}, past its end ${log.size}`;
        throw new StorageCorruptError(`the index places entry ${ledgerId}:${entryId} in ${where}`);
      }
      log.liveBytes += recordSize(length);
    });
  }
}
