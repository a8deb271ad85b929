// The one writer of a ledger (ledger-protocol.md, "Writing"):
// - entry ids 0, 1, 2, … go to each entry's write set, carrying the writer's last-add-confirmed;
// - entry e is confirmed once ackQuorum bookies of its *current* write set answered and every
//   entry before it is confirmed: confirmations are strictly in order;
// - a failed bookie is replaced by a new fragment recorded by compare-and-set *before* anything is
//   sent to the replacement; unconfirmed entries are resent; with no spare bookie the ledger is
//   closed and the caller told to roll;
// - "fenced" from a bookie, or a compare-and-set that finds the ledger no longer OPEN, means a
//   recoverer took over: everything pending fails (those entries may or may not exist);
// - close() stops new adds, settles or fails every pending add, then CASes OPEN → CLOSED at the
//   last confirmed entry, yielding to a recoverer if one got there first.
// Metadata changes (ensemble changes, close) run one at a time through one queue.
import { BadVersionError } from '../../metadata/index.js';
import { BookieStatus, entryChecksum, type AddEntryResponse } from '../../protocol/index.js';
import { silentLogger, type Logger } from '../../common/index.js';
import { LedgerClosedError, LedgerFencedError, LedgerNeedsRollError, TooManyPendingAddsError } from '../errors.js';
import { fragmentOf, writeSet, type LedgerMetadata } from '../metadata/ledger-metadata.js';
import type { LedgerMetadataStore, VersionedLedgerMetadata } from '../metadata/ledger-metadata-store.js';
import type { BookiePool } from '../bookies/bookie-pool.js';
import type { BookieRegistry } from '../bookies/bookie-registry.js';
import { PendingAdd } from './pending-add.js';
import { nextWriterState, type WriterInput, type WriterState } from './writer-state.js';

export interface LedgerWriterOptions {
  /** Adds in flight at most; append() beyond it throws TooManyPendingAddsError. Default 1000. */
  maxPendingAdds?: number;
  /** How long close() waits for pending adds before failing them. Default 10 s. */
  closeTimeoutMs?: number;
  logger?: Logger;
}

export interface WriterDeps {
  metadataStore: LedgerMetadataStore;
  pool: BookiePool;
  registry: BookieRegistry;
}

export class LedgerWriter {
  private state: WriterState = 'open';
  private current: VersionedLedgerMetadata;
  /** Unconfirmed adds in entry order; pending[0].entryId === lac + 1. */
  private pending: PendingAdd[] = [];
  private nextEntryId = 0;
  private lacValue = -1;
  private confirmedBytes = 0;
  private readonly failedBookies = new Set<string>();
  private changing = false;
  private metadataOps: Promise<unknown> = Promise.resolve();
  private capacityWaiters: Array<() => void> = [];
  private failure: Error | undefined;
  private readonly maxPendingAdds: number;
  private readonly closeTimeoutMs: number;
  private readonly log: Logger;

  constructor(
    private readonly deps: WriterDeps,
    created: VersionedLedgerMetadata,
    options: LedgerWriterOptions = {},
  ) {
    this.current = created;
    this.maxPendingAdds = options.maxPendingAdds ?? 1000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.log = (options.logger ?? silentLogger).child({ ledgerId: created.metadata.id });
  }

  get ledgerId(): number {
    return this.current.metadata.id;
  }

  get metadata(): LedgerMetadata {
    return this.current.metadata;
  }

  /** Last add confirmed: every entry up to it is durable on ackQuorum bookies. */
  get lac(): number {
    return this.lacValue;
  }

  get writerState(): WriterState {
    return this.state;
  }

  get pendingAdds(): number {
    return this.pending.length;
  }

  /** Payload bytes of the confirmed entries. */
  get length(): number {
    return this.confirmedBytes;
  }

  private transition(input: WriterInput): void {
    this.state = nextWriterState(this.state, input);
  }

  /** Resolves with the entry id once the entry is confirmed (durable on ackQuorum bookies, in order). */
  append(payload: Buffer): Promise<number> {
    if (this.state !== 'open') return Promise.reject(this.failure ?? new LedgerClosedError(`ledger ${this.ledgerId} is ${this.state}`));
    if (this.pending.length >= this.maxPendingAdds) {
      return Promise.reject(new TooManyPendingAddsError(`ledger ${this.ledgerId} has ${this.pending.length} adds in flight`));
    }
    return new Promise<number>((resolve, reject) => {
      const add = new PendingAdd(this.nextEntryId++, payload, entryChecksum(payload), resolve, reject);
      this.pending.push(add);
      if (!this.changing) this.sendToWriteSet(add);
    });
  }

  /** Resolves once another add may be appended. */
  waitForCapacity(): Promise<void> {
    if (this.pending.length < this.maxPendingAdds || this.state !== 'open') return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  private writeSetOf(entryId: number): string[] {
    const m = this.current.metadata;
    return writeSet(fragmentOf(m, entryId), entryId, m.writeQuorum);
  }

  private sendToWriteSet(add: PendingAdd): void {
    for (const bookieId of this.writeSetOf(add.entryId)) {
      if (!add.acked.has(bookieId)) this.send(add, bookieId);
    }
  }

  private send(add: PendingAdd, bookieId: string): void {
    const lac = this.lacValue;
    this.deps.pool
      .get(bookieId)
      .then((client) => client.addEntry({ ledgerId: this.ledgerId, entryId: add.entryId, lac, payload: add.payload, crc: add.crc }))
      .then(
        (res) => this.onResponse(add, bookieId, res),
        (err: unknown) => this.onBookieFailure(bookieId, err),
      );
  }

  private onResponse(add: PendingAdd, bookieId: string, res: AddEntryResponse): void {
    if (add.settled || this.state === 'failed' || this.state === 'closed') return;
    if (res.status === BookieStatus.OK) {
      // An answer counts only from a bookie of the entry's current write set.
      if (this.writeSetOf(add.entryId).includes(bookieId)) add.acked.add(bookieId);
      this.confirmReady();
      return;
    }
    if (res.status === BookieStatus.FENCED || res.status === BookieStatus.ENTRY_EXISTS_DIFFERENT) {
      this.fail(new LedgerFencedError(`ledger ${this.ledgerId} was fenced by a recoverer (bookie ${bookieId} answered status ${res.status})`));
      return;
    }
    this.onBookieFailure(bookieId, new Error(`bookie ${bookieId} answered status ${res.status} for entry ${add.entryId}`));
  }

  /**
   * Confirms, in order, every leading entry that has its ack quorum. Not while an ensemble change is
   * being recorded: the new fragment starts at lac + 1 as computed for it, so lac must not move.
   */
  private confirmReady(): void {
    if (this.changing) return;
    const qa = this.current.metadata.ackQuorum;
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.acked.size >= qa) n++;
    if (n === 0) return;
    const confirmed = this.pending.splice(0, n);
    for (const add of confirmed) {
      this.lacValue = add.entryId;
      this.confirmedBytes += add.payload.length;
      add.confirm();
    }
    this.releaseCapacity();
  }

  private releaseCapacity(): void {
    if (this.capacityWaiters.length === 0 || (this.pending.length >= this.maxPendingAdds && this.state === 'open')) return;
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const w of waiters) w();
  }

  private onBookieFailure(bookieId: string, err: unknown): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    const ensemble = fragmentOf(this.current.metadata, this.nextEntryId).ensemble;
    if (!ensemble.includes(bookieId) || this.failedBookies.has(bookieId)) return;
    this.log.warn({ bookieId, err: err instanceof Error ? err.message : String(err) }, 'bookie failed; changing the ensemble');
    this.failedBookies.add(bookieId);
    this.scheduleEnsembleChange();
  }

  private changeScheduled = false;

  private scheduleEnsembleChange(): void {
    if (this.changeScheduled) return;
    this.changeScheduled = true;
    void this.enqueueMetadataOp(async () => {
      this.changeScheduled = false;
      await this.changeEnsemble();
    });
  }

  private enqueueMetadataOp<T>(op: () => Promise<T>): Promise<T> {
    const run = this.metadataOps.then(op, op);
    this.metadataOps = run.catch(() => undefined);
    return run;
  }

  /** Replaces failed bookies by a new fragment from the first unconfirmed entry, recorded by CAS first. */
  private async changeEnsemble(): Promise<void> {
    this.changing = true;
    try {
      while (this.failedBookies.size > 0 && (this.state === 'open' || this.state === 'closing')) {
        const m = this.current.metadata;
        const last = m.fragments[m.fragments.length - 1]!;
        const failed = last.ensemble.filter((b) => this.failedBookies.has(b));
        for (const b of [...this.failedBookies]) if (!last.ensemble.includes(b)) this.failedBookies.delete(b);
        if (failed.length === 0) break;
        const spares = this.deps.registry.live().filter((b) => !last.ensemble.includes(b) && !this.failedBookies.has(b));
        if (spares.length < failed.length) {
          await this.closeForRoll(failed);
          return;
        }
        shuffle(spares);
        const ensemble = last.ensemble.map((b) => (this.failedBookies.has(b) ? spares.shift()! : b));
        const firstEntryId = this.lacValue + 1;
        // A fragment in which nothing is confirmed yet is replaced rather than followed.
        const kept = m.fragments.filter((f) => f.firstEntryId < firstEntryId);
        const next: LedgerMetadata = { ...m, fragments: [...kept, { firstEntryId, ensemble }] };
        if (!(await this.casOpen(next))) return;
        for (const b of failed) this.failedBookies.delete(b);
        this.log.info({ firstEntryId, ensemble, replaced: failed }, 'ensemble changed');
        this.resendUnconfirmed();
      }
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.changing = false;
    }
    if (this.state !== 'open' && this.state !== 'closing') return;
    // Adds appended during the change were held back: send them with the current ensemble.
    for (const add of this.pending) if (add.acked.size === 0) this.sendToWriteSet(add);
    this.confirmReady();
    if (this.failedBookies.size > 0) this.scheduleEnsembleChange();
  }

  /** After an ensemble change: keep only acks from each entry's new write set and send to the rest. */
  private resendUnconfirmed(): void {
    for (const add of this.pending) {
      const ws = this.writeSetOf(add.entryId);
      for (const b of [...add.acked]) if (!ws.includes(b)) add.acked.delete(b);
      if (add.acked.size > 0) this.sendToWriteSet(add);
    }
    this.confirmReady();
  }

  /**
   * Writes `next` over the current metadata if the ledger is still OPEN. Returns false (after failing
   * everything) when a recoverer moved it to IN_RECOVERY or CLOSED.
   */
  private async casOpen(next: LedgerMetadata): Promise<boolean> {
    for (;;) {
      try {
        this.current = await this.deps.metadataStore.update(next, this.current.version);
        return true;
      } catch (err) {
        if (!(err instanceof BadVersionError)) throw err;
        const fresh = await this.deps.metadataStore.read(this.ledgerId);
        if (fresh.metadata.state !== 'OPEN') {
          this.fail(new LedgerFencedError(`ledger ${this.ledgerId} is ${fresh.metadata.state}: a recoverer took over`));
          return false;
        }
        // Still OPEN at another version (an earlier write of ours whose answer was lost): rebase.
        next = { ...next, state: 'OPEN' };
        this.current = fresh;
      }
    }
  }

  /** No spare bookie for a failed one: close at the last confirmed entry; the caller must roll. */
  private async closeForRoll(failed: string[]): Promise<void> {
    const err = new LedgerNeedsRollError(`ledger ${this.ledgerId}: bookies ${failed.join(', ')} failed and no spare bookie is live; closed at entry ${this.lacValue}`);
    this.failPending(err);
    this.failure = err;
    try {
      await this.casClosed();
      this.transition('closed');
    } catch (e) {
      this.fail(e instanceof Error ? e : err);
    }
  }

  private async casClosed(): Promise<void> {
    const m = this.current.metadata;
    const closed: LedgerMetadata = { ...m, state: 'CLOSED', lastEntryId: this.lacValue, length: this.confirmedBytes };
    if (!(await this.casOpen(closed))) throw this.failure ?? new LedgerFencedError(`ledger ${this.ledgerId} was taken over`);
  }

  /**
   * Stops new adds, waits (bounded) for pending ones, fails the rest, and closes the ledger at the
   * last confirmed entry. Throws LedgerFencedError if a recoverer got there first.
   */
  async close(): Promise<LedgerMetadata> {
    if (this.state === 'closed') return this.current.metadata;
    if (this.state === 'failed') throw this.failure ?? new LedgerClosedError(`ledger ${this.ledgerId} failed`);
    this.transition('close');
    const deadline = Date.now() + this.closeTimeoutMs;
    while (this.pending.length > 0 && Date.now() < deadline && this.state === 'closing') {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.failPending(new LedgerClosedError(`ledger ${this.ledgerId} closed before the entry was confirmed`));
    this.releaseCapacity();
    return this.enqueueMetadataOp(async () => {
      if (this.state === 'closed') return this.current.metadata;
      if (this.state === 'failed') throw this.failure ?? new LedgerClosedError(`ledger ${this.ledgerId} failed`);
      await this.casClosed();
      this.transition('closed');
      return this.current.metadata;
    });
  }

  private failPending(err: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const add of pending) add.fail(err);
  }

  /** Fails the writer for good: nothing more is confirmed. */
  private fail(err: Error): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.failure = err;
    this.transition('fail');
    this.log.warn({ err: err.message }, 'ledger writer failed');
    this.failPending(err);
    this.releaseCapacity();
  }
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
