// The fully acknowledged entries of one ledger as sorted, disjoint, non-adjacent inclusive ranges of entry ids.
// Kept as one flat array [start0, end0, start1, end1, …]; lookups are binary searches. In-order acks (the common
// case) touch only the end of the array.

export class EntryRanges {
  /** [start0, end0, start1, end1, …] with end_i + 1 < start_{i+1}. */
  private readonly flat: number[] = [];

  get rangeCount(): number {
    return this.flat.length / 2;
  }

  get isEmpty(): boolean {
    return this.flat.length === 0;
  }

  /** Start of the first range, or undefined. */
  get firstStart(): number | undefined {
    return this.flat[0];
  }

  /** End of the last range, or undefined. */
  get lastEnd(): number | undefined {
    return this.flat.length === 0 ? undefined : this.flat[this.flat.length - 1];
  }

  has(entryId: number): boolean {
    const i = this.firstEndingAtOrAfter(entryId);
    return i < this.flat.length && this.flat[i] <= entryId;
  }

  /** Adds one entry, merging with its neighbours; false if it was present. */
  add(entryId: number): boolean {
    const f = this.flat;
    const i = this.firstEndingAtOrAfter(entryId - 1); // the first range that ends at or after entryId − 1
    if (i < f.length && f[i] <= entryId) {
      if (f[i + 1] >= entryId) return false; // inside
      // f[i + 1] === entryId − 1: extend this range, and merge with the next one if it starts at entryId + 1
      if (i + 2 < f.length && f[i + 2] === entryId + 1) f.splice(i + 1, 2);
      else f[i + 1] = entryId;
      return true;
    }
    if (i < f.length && f[i] === entryId + 1) f[i] = entryId;
    else f.splice(i, 0, entryId, entryId);
    return true;
  }

  /** Appends a range after every existing one (decoding); the caller guarantees order and non-adjacency. */
  append(start: number, end: number): void {
    this.flat.push(start, end);
  }

  /** Removes the first range and returns its end. */
  shiftFirst(): number {
    const end = this.flat[1];
    this.flat.splice(0, 2);
    return end;
  }

  /** Removes every entry ≤ entryId. */
  removeThrough(entryId: number): void {
    const i = this.firstEndingAtOrAfter(entryId + 1);
    if (i < this.flat.length && this.flat[i] <= entryId) this.flat[i] = entryId + 1;
    this.flat.splice(0, i);
  }

  /** How many entries of the ranges lie in [from, to]. */
  countIn(from: number, to: number): number {
    let n = 0;
    for (let i = this.firstEndingAtOrAfter(from); i < this.flat.length && this.flat[i] <= to; i += 2) {
      n += Math.min(this.flat[i + 1], to) - Math.max(this.flat[i], from) + 1;
    }
    return n;
  }

  /** Calls `fn(start, end)` for each range in order. */
  forEach(fn: (start: number, end: number) => void): void {
    for (let i = 0; i < this.flat.length; i += 2) fn(this.flat[i], this.flat[i + 1]);
  }

  /** Index (even) of the first range whose end ≥ entryId; flat.length if none. */
  private firstEndingAtOrAfter(entryId: number): number {
    let lo = 0;
    let hi = this.flat.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.flat[2 * mid + 1] < entryId) lo = mid + 1;
      else hi = mid;
    }
    return 2 * lo;
  }
}
