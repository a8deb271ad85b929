// The bookie's write-ahead journal: appends with group commit (many records, one write, one
// fdatasync), rotation to new files, checkpoints, and replay at open.
//
// Contracts:
// - An append resolves only after the fdatasync that covers its bytes; for a record in a new file,
//   also after that file and its directory entry were fsynced. Records are durable in append order.
// - Exactly one write+sync is in flight; appends meanwhile join the next batch (at most
//   maxBatchBytes, except that one record or one appendBatch is never split). Positions are
//   assigned at append time and only grow.
// - Any failed write, sync or file creation breaks the journal for good: the batch in flight, every
//   queued one and every later append reject with the same JournalFailedError. Nothing is retried.
// - Payload buffers are written as given; callers must not modify them until their append settles.
// State: 'open' → 'closing' (close called; queued batches still commit) → 'closed'. A failure is
// orthogonal: a failed journal stays open or closing until closed, refusing appends meanwhile.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { writeCheckpoint } from './checkpoint-file.js';
import { createJournalFile, ensureJournalDirectory } from './create-journal-file.js';
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
    return new Journal(dir, opts, replayed, handle);
  }

  private state: JournalState = 'open';
  private failed: JournalFailedError | undefined;
  /** Batches waiting for their write, oldest first; only the last one still takes records. */
  private queue: JournalBatch[] = [];
  private inFlight: JournalBatch | undefined;
  private queuedBytes = 0;
  private startTimer: NodeJS.Timeout | undefined;
  private startImmediate: NodeJS.Immediate | undefined;
  /** The file the next batch is written to (== the open handle's file unless a rotation is queued). */
  private tailFileId: number;
  /** Where the next appended record starts in tailFileId. */
  private tailOffset = JOURNAL_HEADER_BYTES;
  private fileId: number;
  private synced: JournalPosition;
  private checkpointed: JournalPosition | undefined;
  private checkpointChain: Promise<void> = Promise.resolve();
  /** The oldest journal file that may still be on disk. */
  private oldestFileId: number;
  private closing: Promise<void> | undefined;
  /** What replay found at open. */
  readonly replaySummary: ReplaySummary;

  private constructor(
    readonly directory: string,
    private readonly opts: ResolvedJournalOptions,
    replayed: ReplayResult,
    private handle: FileHandle,
  ) {
    const { nextFileId, oldestFileId, ...summary } = replayed;
    this.replaySummary = summary;
    this.fileId = this.tailFileId = nextFileId;
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
    let bytes: number;
    try {
      bytes = checkRecord(record);
    } catch (err) {
      return Promise.reject(err);
    }
    const refused = this.refusal(bytes);
    if (refused !== undefined) return Promise.reject(refused);
    const batch = this.batchFor(bytes);
    encodeRecord(record, batch.buffers);
    return this.added(batch, 1, bytes);
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
      const last = this.queue.at(-1) ?? this.inFlight;
      if (last === undefined) return Promise.resolve(this.synced);
      const position = { fileId: this.tailFileId, offset: this.tailOffset };
      return last.done.then(() => position);
    }
    const batch = this.batchFor(bytes);
    for (const record of records) encodeRecord(record, batch.buffers);
    return this.added(batch, records.length, bytes);
  }

  /**
   * Durably records that everything up to `position` (a position this journal returned, or
   * syncedPosition) is stored elsewhere, then deletes the journal files wholly before its file.
   * Checkpoints never move backwards: an older position is a no-op. Calls run one at a time, and
   * close waits for them; once close was called, checkpoint is refused.
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
    return this.fileId;
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

  private added(batch: JournalBatch, records: number, bytes: number): Promise<JournalPosition> {
    batch.records += records;
    batch.bytes += bytes;
    this.tailOffset += bytes;
    this.queuedBytes += bytes;
    const position: JournalPosition = { fileId: batch.fileId, offset: this.tailOffset };
    this.schedule();
    return batch.done.then(() => position);
  }

  /** Arranges for the head batch to start: at once (next check phase) or after maxDelayMs. */
  private schedule(): void {
    if (this.inFlight !== undefined || this.queue.length === 0 || this.failed !== undefined) return;
    if (this.startImmediate !== undefined) return;
    const head = this.queue[0];
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
    if (this.inFlight !== undefined || this.failed !== undefined) return;
    const batch = this.queue.shift();
    if (batch === undefined) return;
    this.inFlight = batch;
    void this.commit(batch);
  };

  /** Writes and syncs one batch, then settles its appenders; never throws. */
  private async commit(batch: JournalBatch): Promise<void> {
    const timed = this.opts.onSync !== undefined;
    let writeMicros = 0;
    let syncMicros = 0;
    try {
      if (batch.newFile) await this.rotate(batch.fileId);
      const t0 = timed ? performance.now() : 0;
      await writeFully(this.handle, batch.buffers, batch.startOffset, batch.bytes);
      const t1 = timed ? performance.now() : 0;
      await this.opts.sync(this.handle, 'data');
      if (timed) {
        writeMicros = Math.round((t1 - t0) * 1000);
        syncMicros = Math.round((performance.now() - t1) * 1000);
      }
    } catch (err) {
      this.fail(err, batch);
      return;
    }
    this.inFlight = undefined;
    this.queuedBytes -= batch.bytes;
    this.synced = { fileId: batch.fileId, offset: batch.endOffset };
    batch.resolve();
    if (timed) this.report(batch, writeMicros, syncMicros);
    this.schedule();
  }

  /** Switches appends to the new file `fileId`, created and made durable before any record in it. */
  private async rotate(fileId: number): Promise<void> {
    const next = await createJournalFile(this.directory, fileId, this.opts.sync);
    const previous = this.handle;
    this.handle = next;
    this.fileId = fileId;
    await previous.close(); // every batch for it is synced: one sync in flight, in order
  }

  private fail(cause: unknown, inFlight: JournalBatch): void {
    const error = new JournalFailedError(cause);
    this.failed = error;
    this.inFlight = undefined;
    clearTimeout(this.startTimer);
    clearImmediate(this.startImmediate);
    this.startTimer = this.startImmediate = undefined;
    const rejected = [inFlight, ...this.queue];
    this.queue = [];
    this.queuedBytes = 0;
    for (const batch of rejected) batch.reject(error);
  }

  private report(batch: JournalBatch, writeMicros: number, syncMicros: number): void {
    try {
      this.opts.onSync?.({ fileId: batch.fileId, records: batch.records, bytes: batch.bytes, writeMicros, syncMicros });
    } catch (err) {
      this.opts.logger?.warn({ err }, 'journal onSync hook threw');
    }
  }

  private async writeCheckpoint(position: JournalPosition): Promise<void> {
    if (this.checkpointed !== undefined && compareJournalPositions(position, this.checkpointed) <= 0) return;
    await writeCheckpoint(this.directory, position, this.opts.sync);
    this.checkpointed = position;
    // Replay never reads before the checkpoint's file; a crash mid-way leaves files replay removes.
    for (; this.oldestFileId < position.fileId; this.oldestFileId++) {
      await fs.rm(path.join(this.directory, journalFileName(this.oldestFileId)), { force: true });
    }
  }

  private async finishClose(): Promise<void> {
    this.state = 'closing';
    this.schedule(); // a batch waiting for maxDelayMs starts now
    const last = this.queue.at(-1) ?? this.inFlight;
    if (last !== undefined) await last.done.catch(() => undefined);
    await this.checkpointChain;
    await this.handle.close();
    this.state = 'closed';
  }
}
