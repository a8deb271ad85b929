// The acknowledged batch indexes of one partially acknowledged entry: a bitset over its batch, with a count.

export class BatchAcks {
  private readonly bits: Uint8Array;
  private acked = 0;

  /** An entry of `size` messages (≥ 2: a one-message entry is never partially acked), none acked yet. */
  constructor(readonly size: number) {
    this.bits = new Uint8Array(Math.ceil(size / 8));
  }

  /** Rebuilds from `bitsetBytes(size)` bytes (bit i = byte i>>3, mask 1 << (i & 7)); undefined if padding bits are set. */
  static fromBytes(size: number, bytes: Uint8Array): BatchAcks | undefined {
    const b = new BatchAcks(size);
    b.bits.set(bytes);
    const tail = size & 7;
    if (tail !== 0 && (b.bits[b.bits.length - 1] & (0xff << tail) & 0xff) !== 0) return undefined;
    for (const byte of b.bits) b.acked += popcount(byte);
    return b;
  }

  static bitsetBytes(size: number): number {
    return Math.ceil(size / 8);
  }

  get ackedCount(): number {
    return this.acked;
  }

  get unackedCount(): number {
    return this.size - this.acked;
  }

  get full(): boolean {
    return this.acked === this.size;
  }

  has(index: number): boolean {
    return (this.bits[index >> 3] & (1 << (index & 7))) !== 0;
  }

  /** Acks one index; false if it was acked already. */
  set(index: number): boolean {
    const mask = 1 << (index & 7);
    if ((this.bits[index >> 3] & mask) !== 0) return false;
    this.bits[index >> 3] |= mask;
    this.acked++;
    return true;
  }

  /** Acks indexes 0 … last; returns how many were newly acked. */
  setThrough(last: number): number {
    let added = 0;
    for (let i = 0; i <= last; i++) if (this.set(i)) added++;
    return added;
  }

  /** The bitset as stored (a view: copy it to keep it). */
  bytes(): Uint8Array {
    return this.bits;
  }
}

function popcount(b: number): number {
  let n = 0;
  for (; b !== 0; b &= b - 1) n++;
  return n;
}
