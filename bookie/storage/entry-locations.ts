// Where each stored entry of one ledger lives, as parallel typed arrays over a window of entry ids.
// Memory is 12 bytes per slot of the window [lowest, highest] id stored, grown by doubling; no per-entry objects.
import { InvalidArgumentError } from './errors.js';

/** Log id 0 is never used, so it marks an empty slot. */
const EMPTY = 0;
/** A window wider than this is refused: it would be a writer bug, and would cost gigabytes. */
export const MAX_ENTRY_ID_SPAN = 2 ** 27;

export class EntryLocations {
  private base = 0;
  private logIds = new Uint32Array(0);
  private offsets = new Uint32Array(0);
  private lengths = new Uint32Array(0);
  /** Number of entries stored. */
  count = 0;
  /** Highest entry id stored, -1 when none. */
  maxEntryId = -1;

  /** The slot of `entryId`, or -1 when it is not stored. */
  find(entryId: number): number {
    const slot = entryId - this.base;
    if (slot < 0 || slot >= this.logIds.length || this.logIds[slot] === EMPTY) return -1;
    return slot;
  }

  logIdAt(slot: number): number {
    return this.logIds[slot]!;
  }

  offsetAt(slot: number): number {
    return this.offsets[slot]!;
  }

  /** Payload length of the entry in `slot`. */
  lengthAt(slot: number): number {
    return this.lengths[slot]!;
  }

  /** Makes room for `entryId` without storing it; throws InvalidArgumentError (changing nothing) if it cannot. */
  reserve(entryId: number): void {
    const slot = entryId - this.base;
    if (this.logIds.length === 0 || slot < 0 || slot >= this.logIds.length) this.grow(entryId);
  }

  /** Records (or replaces) the location of `entryId`. Returns the slot. `logId` must be ≥ 1. */
  set(entryId: number, logId: number, offset: number, length: number): number {
    this.reserve(entryId);
    const slot = entryId - this.base;
    if (this.logIds[slot] === EMPTY) {
      this.count++;
      if (entryId > this.maxEntryId) this.maxEntryId = entryId;
    }
    this.logIds[slot] = logId;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    return slot;
  }

  /** Calls `fn` for every stored entry in entry id order. `fn` must not change this object. */
  forEach(fn: (entryId: number, logId: number, offset: number, length: number) => void): void {
    const ids = this.logIds;
    for (let slot = 0; slot < ids.length; slot++) {
      const logId = ids[slot]!;
      if (logId !== EMPTY) fn(this.base + slot, logId, this.offsets[slot]!, this.lengths[slot]!);
    }
  }

  /** Widens the window to include `entryId`, doubling its capacity, and moves the slots if the base moves. */
  private grow(entryId: number): void {
    const oldLength = this.logIds.length;
    const low = oldLength === 0 ? entryId : Math.min(this.base, entryId);
    const high = oldLength === 0 ? entryId : Math.max(this.base + oldLength - 1, entryId);
    const span = high - low + 1;
    if (span > MAX_ENTRY_ID_SPAN) {
      throw new InvalidArgumentError(`entry ids of one ledger may span at most ${MAX_ENTRY_ID_SPAN}; ${low}..${high} does not fit`);
    }
    let capacity = Math.max(16, oldLength);
    while (capacity < span) capacity *= 2;
    const shift = oldLength === 0 ? 0 : this.base - low;
    const logIds = new Uint32Array(capacity);
    const offsets = new Uint32Array(capacity);
    const lengths = new Uint32Array(capacity);
    logIds.set(this.logIds, shift);
    offsets.set(this.offsets, shift);
    lengths.set(this.lengths, shift);
    this.logIds = logIds;
    this.offsets = offsets;
    this.lengths = lengths;
    this.base = low;
  }
}
