// Reads consecutive byte ranges across a list of adjacent blocks: a slice of one block when the range
// lies inside it (no copy), a fresh buffer only for ranges that straddle blocks.
import { ObjectCorruptError } from '../errors.js';

export class BlockCursor {
  private block = 0;

  constructor(
    private readonly blocks: Buffer[],
    private pos: number,
  ) {}

  take(n: number): Buffer {
    this.settle();
    const current = this.blocks[this.block];
    if (current !== undefined && current.length - this.pos >= n) {
      const out = current.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      this.settle();
      const b = this.blocks[this.block];
      if (b === undefined) throw new ObjectCorruptError(`offloaded ledger: a record runs past the blocks read (${n - filled} bytes missing)`);
      const k = Math.min(n - filled, b.length - this.pos);
      b.copy(out, filled, this.pos, this.pos + k);
      filled += k;
      this.pos += k;
    }
    return out;
  }

  skip(n: number): void {
    let left = n;
    while (left > 0) {
      this.settle();
      const b = this.blocks[this.block];
      if (b === undefined) throw new ObjectCorruptError(`offloaded ledger: a record runs past the blocks read (${left} bytes missing)`);
      const k = Math.min(left, b.length - this.pos);
      this.pos += k;
      left -= k;
    }
  }

  /** Moves to the next block when the current one is used up. */
  private settle(): void {
    while (this.block < this.blocks.length && this.pos >= this.blocks[this.block]!.length) {
      this.pos -= this.blocks[this.block]!.length;
      this.block++;
    }
  }
}
