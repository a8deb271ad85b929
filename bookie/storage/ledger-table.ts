// Every ledger this bookie stores: its fence flag, highest LAC seen, and the locations of its entries.
// The table is rebuilt at open by replaying the index log through it (it is an IndexRecordVisitor).
import { EntryLocations } from './entry-locations.js';
import { IndexRecordBuffer, type IndexRecordVisitor } from './index-records.js';

export interface LedgerState {
  /** Set once, never cleared: fencing is idempotent and can never be undone. */
  fenced: boolean;
  /** Highest last-add-confirmed seen; -1 when none. Only grows. */
  lac: number;
  entries: EntryLocations;
}

/** Predicate telling whether the bytes of an entry record are already fsynced in its entry log. */
export type DurableLocation = (logId: number, offset: number, length: number) => boolean;

export class LedgerTable implements IndexRecordVisitor {
  private readonly ledgers = new Map<number, LedgerState>();
  /** Highest entry log id any replayed record named, superseded or not: new logs get higher ids. */
  maxLogIdSeen = 0;

  get size(): number {
    return this.ledgers.size;
  }

  get(ledgerId: number): LedgerState | undefined {
    return this.ledgers.get(ledgerId);
  }

  getOrCreate(ledgerId: number): LedgerState {
    let state = this.ledgers.get(ledgerId);
    if (state === undefined) {
      state = { fenced: false, lac: -1, entries: new EntryLocations() };
      this.ledgers.set(ledgerId, state);
    }
    return state;
  }

  /** Forgets a ledger; returns its state so the caller can release what its entries held. */
  remove(ledgerId: number): LedgerState | undefined {
    const state = this.ledgers.get(ledgerId);
    this.ledgers.delete(ledgerId);
    return state;
  }

  ids(): IterableIterator<number> {
    return this.ledgers.keys();
  }

  states(): IterableIterator<[number, LedgerState]> {
    return this.ledgers.entries();
  }

  /** The number of records a freshly written index log would hold for the current state. */
  liveRecordCount(): number {
    let n = 0;
    for (const state of this.ledgers.values()) n += state.entries.count + (state.fenced ? 1 : 0) + (state.lac >= 0 ? 1 : 0);
    return n;
  }

  /**
   * Encodes the whole table as chunks of about `chunkBytes`, leaving out entries whose bytes are not yet
   * durable (they stay in the pending records of the next checkpoint). Fence and LAC are written as they
   * are when their ledger is reached: persisting them early is harmless, since both only move forward.
   * Each chunk is produced synchronously, so one ledger is never seen half-changed.
   */
  *snapshotChunks(isDurable: DurableLocation, chunkBytes: number): Generator<{ bytes: Buffer; count: number }> {
    const out = new IndexRecordBuffer(Math.min(chunkBytes, 1024 * 1024));
    for (const [ledgerId, state] of this.ledgers) {
      if (state.fenced) out.addFence(ledgerId);
      if (state.lac >= 0) out.addLac(ledgerId, state.lac);
      state.entries.forEach((entryId, logId, offset, length) => {
        if (isDurable(logId, offset, length)) out.addEntry(ledgerId, entryId, logId, offset, length);
      });
      if (out.byteLength >= chunkBytes) yield out.take();
    }
    if (out.count > 0) yield out.take();
  }

  // IndexRecordVisitor: replay of the index log.
  entry(ledgerId: number, entryId: number, logId: number, offset: number, length: number): void {
    if (logId > this.maxLogIdSeen) this.maxLogIdSeen = logId;
    this.getOrCreate(ledgerId).entries.set(entryId, logId, offset, length);
  }

  fence(ledgerId: number): void {
    this.getOrCreate(ledgerId).fenced = true;
  }

  lac(ledgerId: number, lac: number): void {
    const state = this.getOrCreate(ledgerId);
    if (lac > state.lac) state.lac = lac;
  }

  delete(ledgerId: number): void {
    this.ledgers.delete(ledgerId);
  }
}
