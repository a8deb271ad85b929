// A partition's log: a chain of ledgers written one at a time by the partition's owner
// (ledger-protocol.md, "A partition's log"). Contracts:
// - open(): every ledger of the list that is not closed is recovered (fenced and closed) — the last two
//   may both be open after an interrupted roll — then a new ledger is created and appended to the list
//   by an owner-epoch transaction; only then are appends accepted.
// - append() resolves once the entry is confirmed (durable on ackQuorum bookies), in order.
// - Roll: create the new ledger, append it to the list, close the old one; nothing is written to the
//   new ledger until every add of the old one settled, and if one failed, everything queued behind
//   it fails too (otherwise a retried message could land after a later one).
// - A fenced ledger means another broker took the partition: everything fails with OwnershipLostError.
import { Backoff, delay, type Logger } from '../../common/index.js';
import { LedgerFencedError, LedgerNeedsRollError, type LedgerClient, type LedgerWriter } from '../../ledger/index.js';
import type { MetadataStore, PartitionRef, Session } from '../../metadata/index.js';
import { ManagedLedgerClosedError, OwnershipLostError, PartitionBusyError, PartitionUnavailableError } from '../errors.js';
import { EntryCache } from './entry-cache.js';
import { DEFAULT_MANAGED_LEDGER_CONFIG, type ManagedLedgerConfig } from './managed-ledger-config.js';
import { ManagedLedgerReader, type ClosedLedgerOpener } from './managed-ledger-reader.js';
import type { LedgerInfo } from './partition-log-metadata.js';
import { PartitionLogStore } from './partition-log-store.js';
import type { OwnerEpoch } from './owner-epoch.js';
import type { Position } from './position.js';

type State = 'open' | 'closing' | 'closed' | 'fenced';

interface Queued {
  payload: Buffer;
  resolve: (p: Position) => void;
  reject: (err: Error) => void;
}

export interface ManagedLedgerDeps {
  store: MetadataStore;
  ledgers: LedgerClient;
  log: Logger;
  /** Opens closed ledgers wherever they live (default: the bookies). */
  openClosedLedger?: ClosedLedgerOpener;
  /** Deletes a ledger everywhere it lives (default: the bookies and its metadata). */
  deleteLedger?: (ledgerId: number) => Promise<void>;
}

export class ManagedLedger {
  private state: State = 'open';
  private writer: LedgerWriter | undefined;
  private writerFailed = false;
  private queued: Queued[] = [];
  private rolling: Promise<void> | undefined;
  private inFlight = 0;
  private appendedToCurrent = 0;
  private bytesToCurrent = 0;
  private lastConfirmed: Position | undefined;
  private failure: Error | undefined;
  private tailWaiters = new Set<() => void>();
  readonly cache: EntryCache;
  readonly reader: ManagedLedgerReader;

  private constructor(
    private readonly deps: ManagedLedgerDeps,
    readonly partition: PartitionRef,
    private readonly logStore: PartitionLogStore,
    readonly config: ManagedLedgerConfig,
  ) {
    this.cache = new EntryCache(config.cacheBytes);
    this.reader = new ManagedLedgerReader(deps.ledgers, this.cache, () => this.logStore.log.ledgers, () => this.writer, deps.openClosedLedger);
  }

  static async open(deps: ManagedLedgerDeps, partition: PartitionRef, epoch: OwnerEpoch, config: Partial<ManagedLedgerConfig> = {}): Promise<ManagedLedger> {
    const logStore = new PartitionLogStore(deps.store, partition, epoch);
    const ml = new ManagedLedger(deps, partition, logStore, { ...DEFAULT_MANAGED_LEDGER_CONFIG, ...config });
    const { ledgers } = await logStore.load();
    // Recover every ledger that is not closed; drop the ones that turn out empty.
    const kept: LedgerInfo[] = [];
    const emptied: number[] = [];
    for (const info of ledgers) {
      if (info.entries !== undefined) {
        kept.push(info);
        continue;
      }
      const reader = await deps.ledgers.openForRecovery(info.ledgerId);
      const entries = reader.lastReadable + 1;
      if (entries === 0) emptied.push(info.ledgerId);
      else kept.push({ ...info, entries, closedAt: Date.now() });
    }
    if (kept.length !== ledgers.length || kept.some((k, i) => k !== ledgers[i])) await logStore.write({ ledgers: kept });
    for (const id of emptied) await deps.ledgers.deleteLedger(id).catch(() => undefined);
    const last = kept[kept.length - 1];
    if (last) ml.lastConfirmed = { ledgerId: last.ledgerId, entryId: last.entries! - 1 };
    await ml.startNewLedger();
    deps.log.info({ partition, ledgers: kept.length, lastConfirmed: ml.lastConfirmed }, 'managed ledger open');
    return ml;
  }

  get ledgers(): readonly LedgerInfo[] {
    return this.logStore.log.ledgers;
  }

  /** The last confirmed position, undefined while the log is empty. */
  get lastConfirmedPosition(): Position | undefined {
    return this.lastConfirmed;
  }

  get pendingAppends(): number {
    return this.inFlight + this.queued.length;
  }

  /** Appends one entry; resolves with its position once it is durable. */
  append(payload: Buffer): Promise<Position> {
    if (this.state !== 'open') return Promise.reject(this.failure ?? new ManagedLedgerClosedError(`partition log is ${this.state}`));
    if (this.pendingAppends >= this.config.maxPendingAppends) {
      return Promise.reject(new PartitionBusyError(`${this.pendingAppends} appends pending on ${this.partition.topic}/${this.partition.partition}`));
    }
    if (this.writer && !this.rolling && this.writer.writerState === 'open') return this.writeNow(this.writer, payload);
    const queued = new Promise<Position>((resolve, reject) => this.queued.push({ payload, resolve, reject }));
    // A writer that failed or closed itself (no spare bookie) is replaced by a roll.
    if (!this.rolling) this.startRoll('writer not writable');
    return queued;
  }

  private writeNow(writer: LedgerWriter, payload: Buffer): Promise<Position> {
    this.inFlight++;
    this.appendedToCurrent++;
    this.bytesToCurrent += payload.length;
    const result = writer.append(payload).then(
      (entryId) => {
        this.inFlight--;
        const position = { ledgerId: writer.ledgerId, entryId };
        this.cache.put(position.ledgerId, entryId, payload);
        this.lastConfirmed = position;
        for (const wake of this.tailWaiters) wake();
        this.tailWaiters.clear();
        return position;
      },
      (err: unknown) => {
        this.inFlight--;
        throw this.onWriteError(writer, err);
      },
    );
    if (this.shouldRoll()) this.startRoll('size');
    return result;
  }

  private shouldRoll(): boolean {
    const current = this.ledgers[this.ledgers.length - 1];
    const age = current ? Date.now() - current.createdAt : 0;
    return (
      this.appendedToCurrent >= this.config.maxEntriesPerLedger ||
      this.bytesToCurrent >= this.config.maxLedgerBytes ||
      (this.appendedToCurrent > 0 && age >= this.config.maxLedgerAgeMs)
    );
  }

  /** Rolls now if the current ledger is older than its maximum age (called periodically by the owner). */
  checkAge(): void {
    if (this.state === 'open' && !this.rolling && this.shouldRoll()) this.startRoll('age');
  }

  private onWriteError(writer: LedgerWriter, err: unknown): Error {
    if (writer === this.writer) this.writerFailed = true;
    if (err instanceof LedgerFencedError) {
      this.fence(new OwnershipLostError(`ledger ${writer.ledgerId} of ${this.partition.topic}/${this.partition.partition} was fenced by another owner`, { cause: err }));
      return this.failure!;
    }
    if (err instanceof LedgerNeedsRollError && writer === this.writer) this.startRoll('bookie lost');
    return new PartitionUnavailableError(`append to ${this.partition.topic}/${this.partition.partition} failed: ${(err as Error).message}`, { cause: err });
  }

  private startRoll(reason: string): void {
    if (this.rolling || this.state !== 'open') return;
    this.deps.log.debug({ partition: this.partition, reason }, 'rolling ledger');
    this.rolling = this.roll()
      .catch((err: unknown) => {
        if (err instanceof OwnershipLostError) this.fence(err);
        else this.failQueued(new PartitionUnavailableError(`rolling the ledger of ${this.partition.topic}/${this.partition.partition} failed: ${(err as Error).message}`, { cause: err }));
      })
      .finally(() => {
        this.rolling = undefined;
        this.drainQueued();
      });
  }

  /** Create the next ledger, list it, close the old one, record its size; then the queue may go on. */
  private async roll(): Promise<void> {
    const old = this.writer;
    const oldFailed = this.writerFailed;
    await this.startNewLedger(old);
    if (oldFailed || this.writerFailed) {
      // An add of the old ledger failed: what queued behind it must fail too, or order breaks.
      this.failQueued(new PartitionUnavailableError('an earlier append failed; appends queued behind it fail to keep order'));
    }
  }

  /** Creates a ledger and appends it to the list (closing `old` first, if given). */
  private async startNewLedger(old?: LedgerWriter): Promise<void> {
    const backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
    let next: LedgerWriter | undefined;
    while (!next) {
      try {
        next = await this.deps.ledgers.createLedger({
          ensembleSize: this.config.ensembleSize,
          writeQuorum: this.config.writeQuorum,
          ackQuorum: this.config.ackQuorum,
          properties: { topic: this.partition.topic, partition: String(this.partition.partition) },
          writer: { maxPendingAdds: this.config.maxPendingAppends },
        });
      } catch (err) {
        if (this.state !== 'open' || !(err as { retriable?: boolean }).retriable) throw err;
        this.deps.log.warn({ err: (err as Error).message, partition: this.partition }, 'cannot create a ledger yet; retrying');
        await delay(backoff.next());
      }
    }
    const ledgers = [...this.logStore.log.ledgers];
    ledgers.push({ ledgerId: next.ledgerId, size: 0, createdAt: Date.now() });
    await this.logStore.write({ ledgers });
    await this.deps.ledgers.clearIntent(next.ledgerId);
    if (old) await this.closeWriter(old);
    this.writer = next;
    this.writerFailed = false;
    this.appendedToCurrent = 0;
    this.bytesToCurrent = 0;
  }

  /** Closes a writer (its pending adds settle first) and records its final size in the list. */
  private async closeWriter(writer: LedgerWriter): Promise<void> {
    let lastEntryId: number;
    try {
      lastEntryId = (await writer.close()).lastEntryId;
    } catch (err) {
      if (err instanceof LedgerFencedError) throw new OwnershipLostError(`ledger ${writer.ledgerId} was fenced by another owner`, { cause: err });
      if (writer.writerState === 'closed') {
        lastEntryId = writer.metadata.lastEntryId; // closed for a roll by the writer itself
      } else {
        // The writer failed without closing the ledger: close it the way a new owner would.
        lastEntryId = (await this.deps.ledgers.openForRecovery(writer.ledgerId)).lastReadable;
      }
    }
    const ledgers = this.logStore.log.ledgers.map((l) =>
      l.ledgerId === writer.ledgerId ? { ...l, entries: lastEntryId + 1, size: writer.length, closedAt: Date.now() } : l,
    );
    await this.logStore.write({ ledgers });
  }

  private drainQueued(): void {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) {
      if (this.state !== 'open') q.reject(this.failure ?? new ManagedLedgerClosedError('partition log closed'));
      else this.append(q.payload).then(q.resolve, q.reject);
    }
  }

  private failQueued(err: Error): void {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) q.reject(err);
  }

  private fence(err: Error): void {
    if (this.state === 'fenced' || this.state === 'closed') return;
    this.state = 'fenced';
    this.failure = err;
    this.failQueued(err);
    for (const wake of this.tailWaiters) wake();
    this.deps.log.warn({ partition: this.partition, err: err.message }, 'partition log fenced');
  }

  /**
   * Removes the oldest ledgers up to and including `lastLedgerId` from the list (never the current one),
   * then deletes them from the bookies: list first, storage second (ledger-protocol.md).
   */
  async trimLedgers(lastLedgerId: number): Promise<number[]> {
    const current = this.writer?.ledgerId;
    const removed = this.ledgers.filter((l) => l.ledgerId <= lastLedgerId && l.ledgerId !== current && l.entries !== undefined).map((l) => l.ledgerId);
    if (removed.length === 0) return [];
    await this.logStore.write({ ledgers: this.ledgers.filter((l) => !removed.includes(l.ledgerId)) });
    for (const id of removed) {
      this.cache.dropLedger(id);
      this.reader.forget(id);
      await this.deleteLedger(id).catch((err: unknown) => this.deps.log.warn({ err, ledgerId: id }, 'deleting a trimmed ledger failed; the reconciler will retry'));
    }
    return removed;
  }

  /** Takes ownership again after the session expired, if nobody else did (see PartitionLogStore.rebind). */
  rebind(session: Session, value: Buffer): Promise<boolean> {
    return this.logStore.rebind(session, value);
  }

  /** Gives the partition up without writing anything (another owner fences and recovers its ledgers). */
  abandon(reason: Error): void {
    this.fence(reason);
  }

  /** Deletes a ledger everywhere it lives (bookies, object store, metadata). */
  deleteLedger(ledgerId: number): Promise<void> {
    return this.deps.deleteLedger ? this.deps.deleteLedger(ledgerId) : this.deps.ledgers.deleteLedger(ledgerId);
  }

  /** Marks ledgers of the list as offloaded (for stats), by an owner-epoch write. */
  async markOffloaded(ledgerIds: number[]): Promise<void> {
    const ids = new Set(ledgerIds);
    if (!this.ledgers.some((l) => ids.has(l.ledgerId) && !l.offloaded)) return;
    await this.logStore.write({ ledgers: this.ledgers.map((l) => (ids.has(l.ledgerId) ? { ...l, offloaded: true } : l)) });
  }

  /** Resolves once an entry after `after` is confirmed (or the log closes), or after `timeoutMs`. */
  waitForEntries(after: Position | undefined, timeoutMs: number): Promise<void> {
    const last = this.lastConfirmed;
    if (last && (!after || last.ledgerId > after.ledgerId || (last.ledgerId === after.ledgerId && last.entryId > after.entryId))) return Promise.resolve();
    if (this.state !== 'open') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.tailWaiters.delete(wake);
        resolve();
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.tailWaiters.add(wake);
    });
  }

  /** Stops appends, lets pending ones settle, closes the current ledger and records it. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    await this.rolling;
    if (wasOpen && this.writer) await this.closeWriter(this.writer).catch((err: unknown) => this.deps.log.warn({ err }, 'closing the current ledger failed'));
    this.failQueued(new ManagedLedgerClosedError('partition log closed'));
    this.state = 'closed';
    for (const wake of this.tailWaiters) wake();
  }
}
