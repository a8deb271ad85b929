// The acknowledgement state of one subscription on one partition: a mark-delete position plus what is acked after
// it, down to the message inside a batch entry. Pure state; persisting it (serialize) is the cursor's job.
import { MAX_BATCH_MESSAGES, type MessagePosition } from '../../protocol/index.js';
import { comparePositions, type Position } from '../managed-ledger/index.js';
import { decodeAckState, encodeAckState, type AckState, type LedgerAcks } from './ack-set-codec.js';
import { BatchAcks } from './batch-acks.js';
import { ByteCounter, ByteWriter } from '../codec/byte-writer.js';
import { EntryRanges } from './entry-ranges.js';
import { InvalidAckError } from './errors.js';
import type { LedgerOrder } from './ledger-order.js';

/**
 * Contracts:
 * - `markDelete` = (ledgerId, entryId): every message of every entry at or before it is acknowledged (entryId −1:
 *   nothing of that ledger yet). It never moves backwards except by `reset` (a seek), and never passes a message
 *   that is not acknowledged: an entry counts as acknowledged only when every batch index of it is.
 * - After every change it advances as far as it can: over fully acked entries of its ledger, and from the end of a
 *   closed ledger to entry −1 of the next one, as the LedgerOrder tells. Call `refresh()` when that order changes.
 * - Beyond it, fully acked entries are kept as ranges per ledger and partially acked entries as bitsets. Nothing is
 *   ever dropped to save space: the broker bounds the state by capping unacked messages per subscription, and moves
 *   it to a cursor ledger when `serializedSize()` outgrows a metadata value.
 * - The caller states each message's batch size (known since delivery); an ack that contradicts the batch size
 *   given before for the same entry, or names an entry beyond its ledger's end, is an InvalidAckError.
 */
export class AckSet {
  private state: AckState;

  constructor(private readonly order: LedgerOrder, markDelete: Position) {
    if (!isId(markDelete.ledgerId) || !(markDelete.entryId === -1 || isId(markDelete.entryId))) {
      throw new RangeError(`invalid mark-delete position ${markDelete.ledgerId}:${markDelete.entryId}`);
    }
    this.state = { markDelete: { ledgerId: markDelete.ledgerId, entryId: markDelete.entryId }, ledgers: new Map() };
    this.advance();
  }

  /** Loads serialized state (MalformedAckStateError if unreadable), then advances over the current ledger order. */
  static deserialize(order: LedgerOrder, bytes: Buffer): AckSet {
    const state = decodeAckState(bytes);
    const set = new AckSet(order, state.markDelete);
    set.state = state;
    set.advance();
    return set;
  }

  get markDelete(): Position {
    return { ...this.state.markDelete };
  }

  /** Acks one message of an entry of `batchSize` messages; true if it was not acked before. */
  ack(position: MessagePosition, batchSize: number): boolean {
    checkArgs(position, batchSize);
    if (this.atOrBeforeMarkDelete(position)) return false;
    this.checkInLog(position, batchSize);
    const { ledgerId, entryId, batchIndex } = position;
    let acks = this.state.ledgers.get(ledgerId);
    if (acks?.ranges.has(entryId) === true) return false;
    if (batchSize > 1) {
      acks ??= this.ledgerAcks(ledgerId);
      let batch = acks.partial.get(entryId);
      if (batch === undefined) acks.partial.set(entryId, (batch = new BatchAcks(batchSize)));
      if (!batch.set(batchIndex)) return false;
      if (!batch.full) return true;
      acks.partial.delete(entryId);
    }
    (acks ?? this.ledgerAcks(ledgerId)).ranges.add(entryId);
    this.advance();
    return true;
  }

  /**
   * Acks every message at or before `position` (an entry of `batchSize` messages): the mark-delete position moves
   * to just before that entry, and the entry's indexes 0 … batchIndex are acked (all of it when batchIndex is the
   * last). True if any message at or before `position` was not acked before.
   */
  ackCumulative(position: MessagePosition, batchSize: number): boolean {
    checkArgs(position, batchSize);
    if (this.atOrBeforeMarkDelete(position)) return false;
    this.checkInLog(position, batchSize);
    const { ledgerId, entryId, batchIndex } = position;
    const whole = batchIndex === batchSize - 1;
    const target = { ledgerId, entryId: whole ? entryId : entryId - 1 };
    let changed = false;
    if (comparePositions(target, this.state.markDelete) > 0) {
      this.moveMarkDelete(target);
      changed = true;
    }
    if (!whole && this.state.ledgers.get(ledgerId)?.ranges.has(entryId) !== true) {
      const acks = this.ledgerAcks(ledgerId);
      let batch = acks.partial.get(entryId);
      if (batch === undefined) acks.partial.set(entryId, (batch = new BatchAcks(batchSize)));
      if (batch.setThrough(batchIndex) > 0) changed = true;
      if (batch.full) {
        acks.partial.delete(entryId);
        acks.ranges.add(entryId);
      }
    }
    this.advance();
    return changed;
  }

  isAcked(position: MessagePosition): boolean {
    if (this.atOrBeforeMarkDelete(position)) return true;
    const acks = this.state.ledgers.get(position.ledgerId);
    if (acks === undefined) return false;
    if (acks.ranges.has(position.entryId)) return true;
    return acks.partial.get(position.entryId)?.has(position.batchIndex) === true;
  }

  /**
   * What is acked of one entry: 'all', 'none', or the bitset of its acked batch indexes (a copy; bit i = byte i>>3,
   * mask 1 << (i & 7)), which a dispatcher sends along so the consumer skips those messages.
   */
  entryAcks(ledgerId: number, entryId: number): 'all' | 'none' | Uint8Array {
    if (comparePositions({ ledgerId, entryId }, this.state.markDelete) <= 0) return 'all';
    const acks = this.state.ledgers.get(ledgerId);
    if (acks === undefined) return 'none';
    if (acks.ranges.has(entryId)) return 'all';
    const partial = acks.partial.get(entryId);
    return partial === undefined ? 'none' : Uint8Array.from(partial.bytes());
  }

  /** Re-reads the ledger order (a ledger closed, or was added) and advances the mark-delete position over it. */
  refresh(): void {
    this.advance();
  }

  /** Seek: everything at or before `markDelete` is acked, nothing after it. May move backwards. */
  reset(markDelete: Position): void {
    const fresh = new AckSet(this.order, markDelete);
    this.state = fresh.state;
  }

  /**
   * Seek to a message: everything before `target` is acked, nothing from it on. `batchSize` is the message count
   * of the target's entry (its messages before the target's index are acked).
   */
  seekTo(target: MessagePosition, batchSize: number): void {
    this.reset({ ledgerId: target.ledgerId, entryId: target.entryId - 1 });
    for (let i = 0; i < Math.min(target.batchIndex, batchSize); i++) this.ack({ ledgerId: target.ledgerId, entryId: target.entryId, batchIndex: i }, batchSize);
  }

  /** Ranges plus partially acked entries kept beyond the mark-delete position: what the state's size grows with. */
  get rangeCount(): number {
    let n = 0;
    for (const acks of this.state.ledgers.values()) n += acks.ranges.rangeCount + acks.partial.size;
    return n;
  }

  /**
   * Unacknowledged messages between the mark-delete position and the last acknowledged message (the holes the
   * state has to describe). A lower bound: an entry with no ack at all has an unknown batch size and counts as 1.
   */
  get unackedCountHint(): number {
    const ledgerIds = [...this.state.ledgers.keys()];
    if (ledgerIds.length === 0) return 0;
    const lastLedger = Math.max(...ledgerIds);
    let total = 0;
    let ledgerId = this.state.markDelete.ledgerId;
    let from = this.state.markDelete.entryId + 1;
    for (;;) {
      const acks = this.state.ledgers.get(ledgerId);
      const lastAcked = acks === undefined ? from - 1 : lastAckedEntry(acks);
      const to = ledgerId === lastLedger ? lastAcked : (this.order.lastEntryId(ledgerId) ?? lastAcked);
      if (to >= from) {
        total += to - from + 1;
        if (acks !== undefined) {
          total -= acks.ranges.countIn(from, to);
          for (const [entryId, batch] of acks.partial) if (entryId >= from && entryId <= to) total += batch.unackedCount - 1;
        }
      }
      if (ledgerId === lastLedger) return total;
      const next = this.order.nextLedger(ledgerId);
      if (next === undefined || next <= ledgerId || next > lastLedger) return total;
      ledgerId = next;
      from = 0;
    }
  }

  /** Exact size of `serialize()`, computed without allocating it. */
  serializedSize(): number {
    const counter = new ByteCounter();
    encodeAckState(this.state, counter);
    return counter.size;
  }

  /** The compact form (see ack-set-codec.ts): ranges, not ids; partially acked entries as bitsets. */
  serialize(): Buffer {
    const writer = new ByteWriter(64);
    encodeAckState(this.state, writer);
    return writer.finish();
  }

  private atOrBeforeMarkDelete(p: MessagePosition): boolean {
    return comparePositions(p, this.state.markDelete) <= 0;
  }

  /** Refuses an entry past its ledger's known end, and a batch size contradicting an earlier ack of the entry. */
  private checkInLog(p: MessagePosition, batchSize: number): void {
    const last = this.order.lastEntryId(p.ledgerId);
    if (last !== undefined && p.entryId > last) {
      const where = last === -1 ? 'a ledger with no entries in this log' : `a ledger that ends at entry ${last}`;
      throw new InvalidAckError(`cannot ack ${format(p)}: it is in ${where}`);
    }
    const known = this.state.ledgers.get(p.ledgerId)?.partial.get(p.entryId)?.size;
    if (known !== undefined && known !== batchSize) {
      throw new InvalidAckError(`cannot ack ${format(p)} as one of ${batchSize} messages: its entry was acked as a batch of ${known}`);
    }
  }

  private ledgerAcks(ledgerId: number): LedgerAcks {
    let acks = this.state.ledgers.get(ledgerId);
    if (acks === undefined) this.state.ledgers.set(ledgerId, (acks = { ranges: new EntryRanges(), partial: new Map() }));
    return acks;
  }

  /** Sets the mark-delete position forward to `target` and drops what it now covers. */
  private moveMarkDelete(target: Position): void {
    this.state.markDelete = { ...target };
    for (const ledgerId of this.state.ledgers.keys()) if (ledgerId < target.ledgerId) this.state.ledgers.delete(ledgerId);
    const acks = this.state.ledgers.get(target.ledgerId);
    if (acks === undefined) return;
    acks.ranges.removeThrough(target.entryId);
    for (const entryId of acks.partial.keys()) if (entryId <= target.entryId) acks.partial.delete(entryId);
    if (acks.ranges.isEmpty && acks.partial.size === 0) this.state.ledgers.delete(target.ledgerId);
  }

  private advance(): void {
    for (;;) {
      const md = this.state.markDelete;
      const acks = this.state.ledgers.get(md.ledgerId);
      if (acks !== undefined && acks.ranges.firstStart === md.entryId + 1) {
        md.entryId = acks.ranges.shiftFirst();
        if (acks.ranges.isEmpty && acks.partial.size === 0) this.state.ledgers.delete(md.ledgerId);
        continue;
      }
      const last = this.order.lastEntryId(md.ledgerId);
      if (last === undefined || md.entryId < last) return;
      const next = this.order.nextLedger(md.ledgerId);
      if (next === undefined) return;
      if (!(next > md.ledgerId)) throw new Error(`ledger order broken: ledger ${next} follows ledger ${md.ledgerId}`);
      this.moveMarkDelete({ ledgerId: next, entryId: -1 });
    }
  }
}

function lastAckedEntry(acks: LedgerAcks): number {
  let last = acks.ranges.lastEnd ?? -1;
  for (const entryId of acks.partial.keys()) if (entryId > last) last = entryId;
  return last;
}

function checkArgs(p: MessagePosition, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_MESSAGES) {
    throw new InvalidAckError(`batch size ${batchSize} is outside 1 … ${MAX_BATCH_MESSAGES}`);
  }
  if (!isId(p.ledgerId) || !isId(p.entryId) || !Number.isInteger(p.batchIndex) || p.batchIndex < 0 || p.batchIndex >= batchSize) {
    throw new InvalidAckError(`cannot ack ${format(p)} in a batch of ${batchSize}: not a message position`);
  }
}

function isId(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

function format(p: MessagePosition): string {
  return `${p.ledgerId}:${p.entryId}:${p.batchIndex}`;
}
