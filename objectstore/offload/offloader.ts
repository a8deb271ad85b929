// The offloader: moves closed ledgers from the bookies to the object store. The broker submits the
// ledgers its policy chose (offload-policy.ts); each is taken through its next step (offload, wait for
// the grace period, delete the bookie copies) with bounded concurrency and a bounded queue, retried
// with backoff and jitter on any failure, and reported as tiering lag (status(), metrics).
//
// Contracts: a ledger is offloaded by at most one recorded object (compare-and-set on its metadata);
// a bookie copy is deleted only after the record, the grace period and a fresh check of the object;
// an object store that is down or failing delays tiering and deletes nothing.
import { Registry } from 'prom-client';
import type { LedgerClient } from '../../ledger/index.js';
import type { MetadataStore, Session } from '../../metadata/index.js';
import { Backoff, StrataError, createLogger, type BackoffOptions, type Logger } from '../../common/index.js';
import type { ObjectStore } from '../object-store.js';
import type { RetryOptions } from '../with-retries.js';
import { deleteLocalCopies } from './local-copy-deletion.js';
import { OffloadAttempt, type OffloadAttemptContext, type OffloadObserver } from './offload-attempt.js';
import type { OffloadSummary } from './offload-encoder.js';
import { LedgerNotOffloadableError, OffloadMismatchError, OffloaderClosedError } from './offload-errors.js';
import { DEFAULT_BLOCK_SIZE, checkBlockSize } from './offload-format.js';
import { DEFAULT_OFFLOAD_PREFIX, checkOffloadPrefix } from './offload-object-key.js';
import { readLedger } from './offload-record.js';
import { nextTieringStep } from './offload-state.js';
import { TieringMetrics } from './tiering-metrics.js';

export interface OffloaderOptions {
  ledgers: LedgerClient;
  objects: ObjectStore;
  /** Default: the ledger client's metadata store. */
  metadata?: MetadataStore;
  /** Recorded in intents and offload records (e.g. the broker id). */
  owner: string;
  /** Key prefix of offloaded objects; '' or ending in '/' (default "offloaded-ledgers/"). */
  prefix?: string;
  /** Default 1 MiB. */
  blockSizeBytes?: number;
  /** Time between recording an offload and deleting the bookie copies (default 15 min). */
  gracePeriodMs?: number;
  /** Ledgers worked on at once (default 1). */
  concurrency?: number;
  /** Ledgers the queue holds at most; submissions beyond are refused (default 10,000). */
  maxQueuedLedgers?: number;
  /** Waits between tries of a failing ledger (default 1 s doubling to 1 min, full jitter). */
  retryBackoff?: BackoffOptions;
  /** Retries of single object-store calls inside a step (default 3 attempts). */
  storeRetry?: RetryOptions;
  /** Read the whole object back after the upload and recompute its checksum (default true). */
  verifyReadBack?: boolean;
  /** TTL of the session intents are bound to (default 6 s). */
  sessionTtlMs?: number;
  /** Where the metrics go (default: a registry of its own, `offloader.registry`). One offloader per registry. */
  registry?: Registry;
  logger?: Logger;
  observer?: OffloadObserver;
  /** Run objects.verify() in start() (default true): a wrong bucket or credentials fail at startup. */
  verifyOnStart?: boolean;
}

export interface TieringStatus {
  /** Ledgers submitted and not yet offloaded (in progress included): the tiering lag. */
  waiting: number;
  /** Age of the oldest of them since its submission; 0 when none waits. */
  oldestWaitingMs: number;
  inProgress: number;
  /** Offloaded ledgers whose bookie copies are not deleted yet (grace period, or retrying). */
  awaitingLocalDeletion: number;
  offloadedLedgers: number;
  offloadedBytes: number;
  lastSuccessAt?: number;
  lastError?: { ledgerId: number; code: string; message: string; at: number };
}

export type StepOutcome = 'offloaded' | 'lost' | 'waiting' | 'local-copies-deleted' | 'done' | 'skipped';

interface Item {
  ledgerId: number;
  submittedAt: number;
  notBefore: number;
  running: boolean;
  offloaded: boolean;
  backoff: Backoff;
  summary?: OffloadSummary;
}

export class Offloader {
  readonly registry: Registry;
  private readonly items = new Map<number, Item>();
  private readonly running = new Set<Promise<void>>();
  private readonly metrics: TieringMetrics;
  private readonly log: Logger;
  private readonly ctx: OffloadAttemptContext;
  private readonly gracePeriodMs: number;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private timer: NodeJS.Timeout | undefined;
  private sessionPromise: Promise<Session> | undefined;
  private closed = false;
  private offloadedLedgers = 0;
  private offloadedBytes = 0;
  private lastSuccessAt: number | undefined;
  private lastError: TieringStatus['lastError'];

  private constructor(private readonly options: OffloaderOptions) {
    const prefix = options.prefix ?? DEFAULT_OFFLOAD_PREFIX;
    checkOffloadPrefix(prefix);
    const blockSize = options.blockSizeBytes ?? DEFAULT_BLOCK_SIZE;
    checkBlockSize(blockSize);
    this.gracePeriodMs = options.gracePeriodMs ?? 15 * 60 * 1000;
    this.concurrency = options.concurrency ?? 1;
    this.maxQueued = options.maxQueuedLedgers ?? 10_000;
    this.log = options.logger ?? createLogger('offloader');
    this.registry = options.registry ?? new Registry();
    this.metrics = new TieringMetrics(this.registry, () => this.status());
    this.ctx = {
      ledgers: options.ledgers, metadata: options.metadata ?? options.ledgers.metadataStore.store, objects: options.objects, owner: options.owner,
      prefix, blockSize, verifyReadBack: options.verifyReadBack ?? true, session: () => this.session(),
      storeRetry: options.storeRetry ?? { attempts: 3, backoff: { initialMs: 100, maxMs: 2000 } }, logger: this.log, observer: options.observer,
    };
  }

  /** Checks the object store (unless verifyOnStart is false) and returns a running offloader. */
  static async start(options: OffloaderOptions): Promise<Offloader> {
    const offloader = new Offloader(options);
    if (options.verifyOnStart ?? true) await offloader.verify();
    return offloader;
  }

  /** The startup check: BucketNotFoundError, ObjectStoreAuthError or ObjectStoreUnavailableError with an actionable message. */
  async verify(): Promise<void> {
    await this.options.objects.verify();
  }

  /**
   * Queues ledgers for their next tiering step (ids already queued are ignored). Returns how many were
   * newly queued; beyond maxQueuedLedgers none are, and the caller submits them again later.
   */
  submit(ledgerIds: Iterable<number>): number {
    if (this.closed) throw new OffloaderClosedError();
    let added = 0;
    const now = Date.now();
    for (const ledgerId of ledgerIds) {
      if (this.items.has(ledgerId)) continue;
      if (this.items.size >= this.maxQueued) break;
      this.items.set(ledgerId, { ledgerId, submittedAt: now, notBefore: now, running: false, offloaded: false, backoff: new Backoff(this.options.retryBackoff ?? { initialMs: 1000, maxMs: 60_000 }) });
      added++;
    }
    if (added > 0) this.pump();
    return added;
  }

  /** Performs the next tiering step of one ledger now, outside the queue (admin "offload now", tests). Throws on failure. */
  async runOnce(ledgerId: number): Promise<StepOutcome> {
    if (this.closed) throw new OffloaderClosedError();
    const current = await readLedger(this.ctx.metadata, ledgerId);
    const step = nextTieringStep(current?.metadata, Date.now(), this.gracePeriodMs);
    switch (step.step) {
      case 'skip':
        return 'skipped';
      case 'done':
        return 'done';
      case 'wait':
        return 'waiting';
      case 'delete-local-copies': {
        const result = await deleteLocalCopies(this.ctx, ledgerId);
        if (result === 'deleted') this.metrics.localCopiesDeleted.inc();
        return result === 'deleted' ? 'local-copies-deleted' : 'done';
      }
      case 'offload': {
        // A queued ledger keeps its checksum pass across attempts: a closed ledger never changes.
        const attempt = new OffloadAttempt(this.ctx, ledgerId, this.items.get(ledgerId)?.summary);
        try {
          const result = await attempt.run();
          if (result.outcome === 'lost') {
            this.metrics.lostRaces.inc();
            return 'lost';
          }
          this.offloadedLedgers++;
          this.offloadedBytes += result.offload.size;
          this.lastSuccessAt = Date.now();
          this.metrics.offloadedLedgers.inc();
          this.metrics.offloadedBytes.inc(result.offload.size);
          this.log.info({ ledgerId, objectKey: result.offload.objectKey, bytes: result.offload.size }, 'ledger offloaded');
          return 'offloaded';
        } finally {
          const item = this.items.get(ledgerId);
          if (item) item.summary = attempt.checksummed;
        }
      }
    }
  }

  status(): TieringStatus {
    const now = Date.now();
    let waiting = 0;
    let oldest = now;
    let inProgress = 0;
    let awaitingLocalDeletion = 0;
    for (const item of this.items.values()) {
      if (item.running) inProgress++;
      if (item.offloaded) {
        awaitingLocalDeletion++;
        continue;
      }
      waiting++;
      oldest = Math.min(oldest, item.submittedAt);
    }
    return {
      waiting, oldestWaitingMs: now - oldest, inProgress, awaitingLocalDeletion, offloadedLedgers: this.offloadedLedgers,
      offloadedBytes: this.offloadedBytes, lastSuccessAt: this.lastSuccessAt, lastError: this.lastError,
    };
  }

  /** Stops taking work, waits for the steps running now, and ends the intents' session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
    const session = await this.sessionPromise?.catch(() => undefined);
    await session?.close().catch(() => undefined);
  }

  /** Starts every ready item the concurrency allows, and a timer for the next one due. */
  private pump(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const now = Date.now();
    let next = Infinity;
    for (const item of this.items.values()) {
      if (item.running) continue;
      if (item.notBefore > now) next = Math.min(next, item.notBefore);
      else if (this.running.size < this.concurrency) this.start(item);
    }
    if (next !== Infinity) this.timer = setTimeout(() => this.pump(), Math.max(0, next - now)).unref();
  }

  private start(item: Item): void {
    item.running = true;
    const run: Promise<void> = this.process(item).finally(() => {
      item.running = false;
      this.running.delete(run);
      this.pump();
    });
    this.running.add(run);
  }

  private async process(item: Item): Promise<void> {
    const { ledgerId } = item;
    try {
      const outcome = await this.runOnce(ledgerId);
      item.backoff.reset();
      if (outcome === 'skipped' || outcome === 'done' || outcome === 'local-copies-deleted') {
        this.items.delete(ledgerId);
        return;
      }
      // Offloaded (by us or another): the next step is the local deletion once the grace period is over.
      item.offloaded = true;
      const current = await readLedger(this.ctx.metadata, ledgerId);
      const step = nextTieringStep(current?.metadata, Date.now(), this.gracePeriodMs);
      item.notBefore = step.step === 'wait' ? step.until : Date.now();
    } catch (err) {
      if (err instanceof LedgerNotOffloadableError) {
        this.log.info({ ledgerId, reason: err.message }, 'ledger not offloadable now; dropped from the queue');
        this.items.delete(ledgerId);
        return;
      }
      if (err instanceof OffloadMismatchError) item.summary = undefined;
      const code = err instanceof StrataError ? err.code : 'UNEXPECTED';
      const wait = item.backoff.next();
      item.notBefore = Date.now() + wait;
      this.lastError = { ledgerId, code, message: err instanceof Error ? err.message : String(err), at: Date.now() };
      this.metrics.failures.inc({ code });
      this.log.warn({ err, ledgerId, retryInMs: wait }, 'tiering step failed; will retry');
    }
  }

  /** The session intents are bound to: the current one while it lives, a new one after it expired. */
  private async session(): Promise<Session> {
    for (;;) {
      if (this.closed) throw new OffloaderClosedError();
      const promise = (this.sessionPromise ??= this.ctx.metadata.createSession({ ttlMs: this.options.sessionTtlMs ?? 6000 }));
      let session: Session;
      try {
        session = await promise;
      } catch (err) {
        if (this.sessionPromise === promise) this.sessionPromise = undefined;
        throw err;
      }
      if (session.state === 'alive' || session.state === 'suspended') return session;
      if (this.sessionPromise === promise) {
        this.sessionPromise = undefined;
        void session.close().catch(() => undefined);
      }
    }
  }
}
