// Per-partition deduplication: for each producer name the highest sequence id stored in the log (and where), plus
// what is in flight, so a resent batch is recognised — also after a crash, from a snapshot plus the log tail.
import type { MessageBatchHeader, MessagePosition } from '../../protocol/index.js';
import { comparePositions, type Position } from '../managed-ledger/index.js';
import { decodeDedupSnapshot, encodeDedupSnapshot, type ProducerRecord } from './dedup-snapshot.js';

/**
 * The verdict on a batch with sequence ids first … last from one producer:
 * - `new`: every id is above everything stored or in flight; store it (after `markPending`).
 * - `duplicate`: every id is stored already; answer success without storing. `position` is where message
 *   `first` is stored (message first + i is at batchIndex + i of that entry), known while the ids lie in one of
 *   the producer's last 64 batches stored or replayed since the broker loaded the partition.
 * - `in-flight`: the ids belong to a batch being written; the outcome is not known yet, so neither store nor
 *   confirm: answer a retriable error (or wait for the write).
 * - `overlap`: some ids are stored (or in flight) and some are not: the client re-batched a resend, which the
 *   protocol forbids; refuse it, since storing it would duplicate and dropping it would lose messages.
 */
export type DedupCheck =
  | { status: 'new' }
  | { status: 'duplicate'; position?: MessagePosition }
  | { status: 'in-flight' }
  | { status: 'overlap' };

/**
 * Contracts: `record` / `applyBatchHeader` are called in log order for every stored entry (replay, and live on
 * confirmation). A sequence id at or below a producer's highest is never stored twice; `record` keeps the highest
 * (recording a lower one is a no-op, so replaying entries the snapshot already covers is harmless). Pending state
 * is memory only: a snapshot holds stored ids alone, with the position it covers.
 */
export class DedupState {
  private readonly stored: Map<string, ProducerRecord>;
  /** Highest sequence id handed to the log and not yet confirmed, per producer (only when above `stored`). */
  private readonly pending = new Map<string, number>();
  private coveredPosition: Position | undefined;
  /** The last batches stored per producer (memory only), so a resent older batch is answered with its position. */
  private readonly recent = new Map<string, RecentBatch[]>();

  constructor(covered?: Position, producers?: ReadonlyMap<string, ProducerRecord>) {
    this.coveredPosition = covered === undefined ? undefined : { ...covered };
    this.stored = new Map(producers);
  }

  /** Loads a snapshot (MalformedDedupSnapshotError if unreadable); then replay the log after `covered`. */
  static fromSnapshot(bytes: Buffer): DedupState {
    const s = decodeDedupSnapshot(bytes);
    return new DedupState(s.covered, s.producers);
  }

  /** The stored state and the log position it covers; in-flight batches are not in it. */
  snapshot(): Buffer {
    return encodeDedupSnapshot({ covered: this.coveredPosition, producers: this.stored });
  }

  /** The last log entry reflected here; undefined if none. Replay resumes after it. */
  get covered(): Position | undefined {
    return this.coveredPosition === undefined ? undefined : { ...this.coveredPosition };
  }

  get producerCount(): number {
    return this.stored.size;
  }

  /** The producer's highest stored sequence id, −1 if none (what a reconnecting producer resumes after). */
  lastSequenceId(producer: string): number {
    return this.stored.get(producer)?.lastSequenceId ?? -1;
  }

  check(producer: string, firstSequenceId: number, lastSequenceId = firstSequenceId): DedupCheck {
    checkProducer(producer);
    checkRange(firstSequenceId, lastSequenceId);
    const stored = this.stored.get(producer);
    const storedLast = stored?.lastSequenceId ?? -1;
    const pushedLast = Math.max(storedLast, this.pending.get(producer) ?? -1);
    if (stored !== undefined && lastSequenceId <= storedLast) {
      const { ledgerId, entryId, batchIndex } = stored.position;
      const offset = storedLast - firstSequenceId; // how far before the stored batch's last message `first` is
      if (offset <= batchIndex) return { status: 'duplicate', position: { ledgerId, entryId, batchIndex: batchIndex - offset } };
      const older = this.recent.get(producer)?.find((b) => b.first <= firstSequenceId && firstSequenceId <= b.last);
      return older
        ? { status: 'duplicate', position: { ledgerId: older.ledgerId, entryId: older.entryId, batchIndex: firstSequenceId - older.first } }
        : { status: 'duplicate' };
    }
    if (firstSequenceId > pushedLast) return { status: 'new' };
    if (firstSequenceId > storedLast && lastSequenceId <= pushedLast) return { status: 'in-flight' };
    return { status: 'overlap' };
  }

  /** A batch checked `new` was handed to the log: later resends of it are `in-flight` until recorded. */
  markPending(producer: string, lastSequenceId: number): void {
    checkProducer(producer);
    checkRange(lastSequenceId, lastSequenceId);
    if (lastSequenceId <= Math.max(this.lastSequenceId(producer), this.pending.get(producer) ?? -1)) {
      throw new RangeError(`producer ${producer}: sequence id ${lastSequenceId} is not above what is stored or in flight`);
    }
    this.pending.set(producer, lastSequenceId);
  }

  /**
   * Writes failed: forget what was in flight (for one producer, or all — a failed append fails everything queued
   * behind it). Resends are then `new` again; the managed ledger guarantees the failed batches are not in the log
   * before they are retried, or the log is re-read (takeover) before serving.
   */
  discardPending(producer?: string): void {
    if (producer === undefined) this.pending.clear();
    else this.pending.delete(producer);
  }

  /** The producer's batch ending at `lastSequenceId` is stored; `position` is that last message's position. */
  record(producer: string, lastSequenceId: number, position: MessagePosition): void {
    checkProducer(producer);
    checkRange(lastSequenceId, lastSequenceId);
    if (lastSequenceId > this.lastSequenceId(producer)) {
      this.stored.set(producer, { lastSequenceId, position: { ...position } });
      let recent = this.recent.get(producer);
      if (!recent) this.recent.set(producer, (recent = []));
      recent.push({ first: lastSequenceId - position.batchIndex, last: lastSequenceId, ledgerId: position.ledgerId, entryId: position.entryId });
      if (recent.length > RECENT_BATCHES) recent.shift();
    }
    const pending = this.pending.get(producer);
    if (pending !== undefined && pending <= lastSequenceId) this.pending.delete(producer);
    this.cover(position);
  }

  /**
   * Reflects one stored entry, from its batch header: records the producer's last sequence id when the batch has
   * a producer name and sequence ids, and in any case moves the covered position to `at`.
   */
  applyBatchHeader(header: MessageBatchHeader, at: Position): void {
    if (header.producerName !== '' && header.firstSequenceId !== -1) {
      const last = header.firstSequenceId + (header.messageCount - 1);
      this.record(header.producerName, last, { ledgerId: at.ledgerId, entryId: at.entryId, batchIndex: header.messageCount - 1 });
    } else {
      this.cover(at);
    }
  }

  /** Forgets a producer (an expiry policy's decision: its resends are no longer recognised). */
  remove(producer: string): void {
    this.stored.delete(producer);
    this.pending.delete(producer);
    this.recent.delete(producer);
  }

  private cover(p: Position): void {
    if (this.coveredPosition === undefined || comparePositions(p, this.coveredPosition) > 0) {
      this.coveredPosition = { ledgerId: p.ledgerId, entryId: p.entryId };
    }
  }
}

interface RecentBatch {
  first: number;
  last: number;
  ledgerId: number;
  entryId: number;
}

/** Batches remembered per producer for positions of duplicates: more than a client keeps unanswered by default. */
const RECENT_BATCHES = 64;

function checkProducer(producer: string): void {
  if (producer === '') throw new RangeError('an anonymous producer (empty name) has no deduplication');
}

function checkRange(first: number, last: number): void {
  if (!Number.isSafeInteger(first) || first < 0 || !Number.isSafeInteger(last) || last < first) {
    throw new RangeError(`invalid sequence id range ${first} … ${last}`);
  }
}
