// The bookie's write-ahead journal: appends with group commit (many records, one write, one
// fdatasync), rotation to new files, checkpoints, and replay at open.
//
// Contracts:
// - An append resolves only after the fdatasync that covers its bytes; for a record in a new file,
//   also after that file and its directory entry were fsynced. Records are durable in append order.
// - A pipeline of two stages: exactly one fdatasync is in flight, and meanwhile the next batch is
//   written (one write at a time), so the disk never idles between a sync and the next write. Each
//   sync covers one written batch (at most maxBatchBytes, except that one record or one appendBatch
//   is never split); batches settle strictly in order. Positions are assigned at append time and
//   only grow. A batch that starts a new file is written only once every batch before it is synced.
// - Any failed write, sync or file creation breaks the journal for good: the batches in flight, every
//   queued one and every later append reject with the same JournalFailedError. Nothing is retried.
// - Payload buffers are written as given; callers must not modify them until their append settles.
// State: 'open' → 'closing' (close called; queued batches still commit) → 'closed'. A failure is
// orthogonal: a failed journal stays open or closing until closed, refusing appends meanwhile.
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { writeCheckpoint } from './checkpoint-file.js';
import { createJournalFile, ensureJournalDirectory } from './create-journal-file.js';
import { JournalFiles } from './journal-files.js';
import {
  InvalidJournalPositionError,
  JournalClosedError,
  JournalFailedError,
  JournalOverloadedError,
  type JournalError,
} from './errors.js';
import { JournalBatch } from './journal-batch.js';
import { JOURNAL_HEADER_BYTES, journalFileName } from './journal-file-header.js';
import { resolveJournalOptions, type JournalOptions, type ResolvedJournalOptions } from './journal-options.js';
import { compareJournalPositions, formatJournalPosition, type JournalPosition } from './journal-position.js';
import { checkRecord, encodeRecord, type JournalRecord } from './journal-record.js';
import { replayJournal, type ReplayResult, type ReplaySummary } from './journal-replay.js';
import { writeFully } from './journal-sync.js';
import { removeGradually } from '../files/index.js';

export type JournalState = 'open' | 'closing' | 'closed';

export class Journal {
  /**
   * Opens the journal in `dir` (created if missing): replays every record after the checkpoint
   * through `options.replay` (cutting a torn tail, refusing corruption), then starts a new file
   * for appends, so nothing is ever appended to a file written before.
   */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    const opts = resolveJournalOptions(options);
    await ensureJournalDirectory(dir, opts.sync);
    const replayed = await replayJournal(dir, opts);
    const handle = await createJournalFile(dir, replayed.nextFileId, opts.sync);
    return new Journal(dir, opts, replayed, new JournalFiles(dir, opts.sync, handle, replayed.nextFileId));
  }

  private state: JournalState = 'open';
  private failed: JournalFailedError | undefined;
  /** Batches waiting for their write, oldest first; only the last one still takes records. */
  private queue: JournalBatch[] = [];
  /** The batch being written (`written` false), or written and waiting for the sync in flight to finish. */
  private ahead: { readonly batch: JournalBatch; written: boolean } | undefined;
  /** The batch whose fdatasync is in flight. */
  private syncing: JournalBatch | undefined;
  private queuedBytes = 0;
  private startTimer: NodeJS.Timeout | undefined;
  private startImmediate: NodeJS.Immediate | undefined;
  /** The file the next batch is written to (== the current file unless a rotation is queued). */
  private tailFileId: number;
  /** Where the next appended record starts in tailFileId. */
  private tailOffset = JOURNAL_HEADER_BYTES;
  private synced: JournalPosition;
  private checkpointed: JournalPosition | undefined;
  private checkpointChain: Promise<void> = Promise.resolve();
  /** Removal of the files checkpoints cover, one after another in the background; close() waits for the one running. */
  private removals: Promise<void> = Promise.resolve();
  /** The oldest journal file that may still be on disk. */
  private oldestFileId: number;
  private closing: Promise<void> | undefined;
  /** What replay found at open. */
  readonly replaySummary: ReplaySummary;

  private constructor(
    readonly directory: string,
    private readonly opts: ResolvedJournalOptions,
    replayed: ReplayResult,
    private readonly files: JournalFiles,
  ) {
    const { nextFileId, oldestFileId, ...summary } = replayed;
    this.replaySummary = summary;
    this.tailFileId = nextFileId;
    // The new file's header is durable, and so is everything replayed before it.
    this.synced = { fileId: nextFileId, offset: JOURNAL_HEADER_BYTES };
    this.checkpointed = replayed.checkpoint;
    this.oldestFileId = oldestFileId ?? nextFileId;
  }

  /**
   * Queues `record` and resolves with its position (the offset just past it) once it is durable.
   * The promise is chained on its batch's single promise.
   */
  append(record: JournalRecord): Promise<JournalPosition> {
    const batch = this.enqueue(record);
    return batch instanceof JournalBatch ? this.durableTail(batch) : Promise.reject(batch);
  }

  /**
   * Queues `record` like append, and resolves (with nothing) once it is durable: the promise is the
   * batch's own, shared by every record in it, so the hot path allocates no promise per record.
   */
  record(record: JournalRecord): Promise<void> {
    const batch = this.enqueue(record);
    return batch instanceof JournalBatch ? batch.done : Promise.reject(batch);
  }

  /**
   * Queues `records` together (same batch, same file, one promise) and resolves with the position
   * just past the last one once all are durable. An empty list is a barrier: it resolves once
   * everything appended before it is durable.
   */
  appendBatch(records: readonly JournalRecord[]): Promise<JournalPosition> {
    let bytes = 0;
    try {
      for (const record of records) bytes += checkRecord(record);
    } catch (err) {
      return Promise.reject(err);
    }
    const refused = this.refusal(bytes);
    if (refused !== undefined) return Promise.reject(refused);
    if (records.length === 0) {
      const last = this.lastBatch();
      if (last === undefined) return Promise.resolve(this.synced);
      const position = { fileId: this.tailFileId, offset: this.tailOffset };
      return last.done.then(() => position);
    }
    const batch = this.batchFor(bytes);
    for (const record of records) encodeRecord(record, batch.buffers);
    this.added(batch, records.length, bytes);
    return this.durableTail(batch);
  }

  /**
   * Durably records that everything up to `position` (a position this journal returned, or
   * syncedPosition) is stored elsewhere; resolves then, and deletes the journal files wholly before
   * its file in the background (gradually, one after another; a failure is logged, and replay
   * removes leftovers). Checkpoints never move backwards: an older position is a no-op. Calls run
   * one at a time, and close waits for them; once close was called, checkpoint is refused.
   */
  checkpoint(position: JournalPosition): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new JournalClosedError());
    if (
      !Number.isSafeInteger(position.fileId) ||
      !Number.isSafeInteger(position.offset) ||
      position.offset < JOURNAL_HEADER_BYTES ||
      compareJournalPositions(position, this.synced) > 0
    ) {
      return Promise.reject(
        new InvalidJournalPositionError(
          `checkpoint ${formatJournalPosition(position)} is not a durable position (synced up to ${formatJournalPosition(this.synced)})`,
        ),
      );
    }
    const run = this.checkpointChain.then(() => this.writeCheckpoint(position));
    this.checkpointChain = run.catch(() => undefined);
    return run;
  }

  /** Commits everything queued, waits for running checkpoints, and closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.finishClose();
    return this.closing;
  }

  /** Everything before this position is durable. */
  get syncedPosition(): JournalPosition {
    return this.synced;
  }

  /** The last checkpoint written (or found at open). */
  get checkpointPosition(): JournalPosition | undefined {
    return this.checkpointed;
  }

  /** Bytes appended and not yet durable (queued and in flight). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** The id of the file appends currently go to. */
  get currentFileId(): number {
    return this.files.fileId;
  }

  /** Set once a write or sync failed; the journal then refuses everything. */
  get failure(): JournalFailedError | undefined {
    return this.failed;
  }

  get currentState(): JournalState {
    return this.state;
  }

  private refusal(bytes: number): JournalError | undefined {
    if (this.failed !== undefined) return this.failed;
    if (this.state !== 'open') return new JournalClosedError();
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.opts.maxPendingBytes) {
      return new JournalOverloadedError(this.queuedBytes, this.opts.maxPendingBytes);
    }
    return undefined;
  }

  /** The batch `bytes` more go to: the last queued one if they fit, else a new one (rolling the file if full). */
  private batchFor(bytes: number): JournalBatch {
    const last = this.queue.at(-1);
    if (last !== undefined && last.bytes + bytes <= this.opts.maxBatchBytes) return last;
    let newFile = false;
    if (this.tailOffset >= this.opts.maxFileBytes) {
      this.tailFileId++;
      this.tailOffset = JOURNAL_HEADER_BYTES;
      newFile = true;
    }
    const batch = new JournalBatch(this.tailFileId, this.tailOffset, newFile, this.opts.maxDelayMs > 0 ? performance.now() : 0);
    this.queue.push(batch);
    return batch;
  }

  /** Checks and queues one record; returns its batch, or the error that refuses it. */
  private enqueue(record: JournalRecord): JournalBatch | Error {
    let bytes: number;
    try {
      bytes = checkRecord(record);
    } catch (err) {
      return err as Error;
    }
    const refused = this.refusal(bytes);
    if (refused !== undefined) return refused;
    const batch = this.batchFor(bytes);
    encodeRecord(record, batch.buffers);
    this.added(batch, 1, bytes);
    return batch;
  }

  /** The position just past the record(s) last added to `batch`, once the batch is durable. */
  private durableTail(batch: JournalBatch): Promise<JournalPosition> {
    const position: JournalPosition = { fileId: batch.fileId, offset: this.tailOffset };
    return batch.done.then(() => position);
  }

  private added(batch: JournalBatch, records: number, bytes: number): void {
    batch.records += records;
    batch.bytes += bytes;
    this.tailOffset += bytes;
    this.queuedBytes += bytes;
    this.schedule();
  }

  /** The newest batch not yet settled, if any. */
  private lastBatch(): JournalBatch | undefined {
    return this.queue.at(-1) ?? this.ahead?.batch ?? this.syncing;
  }

  /**
   * Arranges for the head batch's write to start: at once (next check phase) or after maxDelayMs. Only
   * one batch is written ahead of the sync in flight, and a new file waits until its predecessor is synced.
   */
  private schedule(): void {
    if (this.ahead !== undefined || this.queue.length === 0 || this.failed !== undefined) return;
    if (this.startImmediate !== undefined) return;
    const head = this.queue[0];
    if (head.newFile && this.syncing !== undefined) return; // the sync's completion schedules again
    const wait =
      this.opts.maxDelayMs === 0 || this.state !== 'open' || this.queue.length > 1 || head.bytes >= this.opts.maxBatchBytes
        ? 0
        : head.createdAt + this.opts.maxDelayMs - performance.now();
    if (wait > 0) {
      this.startTimer ??= setTimeout(this.startNext, wait);
      return;
    }
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    // setImmediate, not a microtask: appends from every I/O callback of this loop turn join.
    this.startImmediate = setImmediate(this.startNext);
  }

  private readonly startNext = (): void => {
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    this.startImmediate = undefined;
    if (this.ahead !== undefined || this.failed !== undefined) return;
    const head = this.queue[0];
    if (head === undefined || (head.newFile && this.syncing !== undefined)) return;
    this.queue.shift();
    this.ahead = { batch: head, written: false };
    void this.write(head);
  };

  /** Writes one batch (after switching files if it starts a new one), then hands it to the sync stage; never throws. */
  private async write(batch: JournalBatch): Promise<void> {
    try {
      if (batch.newFile) await this.files.rotate(batch.fileId);
      const t0 = performance.now();
      batch.file = this.files.handle;
      await writeFully(batch.file, batch.buffers, batch.startOffset, batch.bytes);
      batch.writeMicros = Math.round((performance.now() - t0) * 1000);
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.failed !== undefined) return; // an earlier batch's sync failed meanwhile: this one was rejected
    if (batch.endOffset >= this.opts.maxFileBytes / 2) this.files.prepareNext();
    this.ahead!.written = true;
    this.startSync();
  }

  /** Starts the fdatasync of the batch written ahead, unless one is in flight (its completion comes back here). */
  private startSync(): void {
    if (this.syncing !== undefined || this.ahead === undefined || !this.ahead.written) return;
    const batch = this.ahead.batch;
    this.ahead = undefined;
    this.syncing = batch;
    void this.sync(batch);
    this.schedule(); // the next batch is written while this one syncs
  }

  /** Syncs one written batch, then settles its appenders and moves the pipeline on; never throws. */
  private async sync(batch: JournalBatch): Promise<void> {
    const t0 = performance.now();
    try {
      await this.opts.sync(batch.file!, 'data');
    } catch (err) {
      this.fail(err);
      return;
    }
    if (this.failed !== undefined) return;
    const syncMicros = Math.round((performance.now() - t0) * 1000);
    this.syncing = undefined;
    this.queuedBytes -= batch.bytes;
    this.synced = { fileId: batch.fileId, offset: batch.endOffset };
    batch.resolve();
    if (this.opts.onSync !== undefined) this.report(batch, syncMicros);
    this.startSync();
    this.schedule();
  }

  private fail(cause: unknown): void {
    if (this.failed !== undefined) return; // the first failure already rejected everything
    const error = new JournalFailedError(cause);
    this.failed = error;
    clearTimeout(this.startTimer);
    clearImmediate(this.startImmediate);
    this.startTimer = this.startImmediate = undefined;
    const rejected = [this.syncing, this.ahead?.batch, ...this.queue].filter((b): b is JournalBatch => b !== undefined);
    this.syncing = undefined;
    this.ahead = undefined;
    this.queue = [];
    this.queuedBytes = 0;
    for (const batch of rejected) batch.reject(error);
  }

  private report(batch: JournalBatch, syncMicros: number): void {
    try {
      this.opts.onSync?.({ fileId: batch.fileId, records: batch.records, bytes: batch.bytes, writeMicros: batch.writeMicros, syncMicros });
    } catch (err) {
      this.opts.logger?.warn({ err }, 'journal onSync hook threw');
    }
  }

  private async writeCheckpoint(position: JournalPosition): Promise<void> {
    if (this.checkpointed !== undefined && compareJournalPositions(position, this.checkpointed) <= 0) return;
    await writeCheckpoint(this.directory, position, this.opts.sync);
    this.checkpointed = position;
    // Replay never reads before the checkpoint's file, and removes what a crash or close left of them.
    const covered: number[] = [];
    for (; this.oldestFileId < position.fileId; this.oldestFileId++) covered.push(this.oldestFileId);
    if (covered.length > 0) this.removals = this.removals.then(() => this.removeFiles(covered));
  }

  /** Deletes journal files a checkpoint covers, gradually (see removeGradually); stops early once closing. */
  private async removeFiles(fileIds: number[]): Promise<void> {
    const sync = (handle: FileHandle) => this.opts.sync(handle, 'file');
    for (const id of fileIds) {
      if (this.state !== 'open') return;
      const file = path.join(this.directory, journalFileName(id));
      try {
        await removeGradually(file, { sync });
      } catch (err) {
        this.opts.logger?.warn({ err, file }, 'could not remove a journal file a checkpoint covers; the next start removes it');
      }
    }
  }

  private async finishClose(): Promise<void> {
    this.state = 'closing';
    this.schedule(); // a batch waiting for maxDelayMs starts now
    const last = this.lastBatch();
    if (last !== undefined) await last.done.catch(() => undefined);
    await this.checkpointChain;
    await this.removals;
    await this.files.close();
    this.state = 'closed';
  }
}
