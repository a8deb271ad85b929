// Writers for the broker's compact state formats (ack state, dedup snapshots): big-endian integers, canonical
// LEB128 varints and u16-length UTF-8, into a growing buffer or into a counter that only measures the size.

const TWO_POW_32 = 0x1_0000_0000;

/** Where an encoder writes; the same encoder code serves to measure (ByteCounter) and to write (ByteWriter). */
export interface ByteSink {
  u8(v: number): void;
  u16(v: number): void;
  u32(v: number): void;
  /** A safe integer ≥ 0 as u64be. */
  u64(v: number): void;
  /** A safe integer ≥ 0 as unsigned LEB128 (1–8 bytes), the shortest form. */
  varint(v: number): void;
  bytes(b: Uint8Array): void;
  /** u16 byte length + UTF-8. */
  string16(s: string): void;
}

/** Bytes of `v` as a varint. */
export function varintSize(v: number): number {
  checkUnsigned(v);
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** Counts the bytes an encoding would take, without allocating. */
export class ByteCounter implements ByteSink {
  size = 0;
  u8(): void {
    this.size += 1;
  }
  u16(): void {
    this.size += 2;
  }
  u32(): void {
    this.size += 4;
  }
  u64(v: number): void {
    checkUnsigned(v);
    this.size += 8;
  }
  varint(v: number): void {
    this.size += varintSize(v);
  }
  bytes(b: Uint8Array): void {
    this.size += b.length;
  }
  string16(s: string): void {
    this.size += 2 + utf8Length(s);
  }
}

/** Writes into a buffer that grows by doubling; `finish()` returns exactly the bytes written. */
export class ByteWriter implements ByteSink {
  private buf: Buffer;
  private off = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.off++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.off = this.buf.writeUInt16BE(v, this.off);
  }
  u32(v: number): void {
    this.ensure(4);
    this.off = this.buf.writeUInt32BE(v, this.off);
  }
  u64(v: number): void {
    checkUnsigned(v);
    this.ensure(8);
    this.buf.writeUInt32BE(Math.floor(v / TWO_POW_32), this.off);
    this.off = this.buf.writeUInt32BE(v >>> 0, this.off + 4);
  }
  varint(v: number): void {
    checkUnsigned(v);
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.off++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.off++] = v;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }
  string16(s: string): void {
    const n = utf8Length(s);
    this.ensure(2 + n);
    this.buf.writeUInt16BE(n, this.off);
    this.off += 2 + this.buf.write(s, this.off + 2, 'utf8');
  }

  /** The bytes written, as a right-sized copy (the working buffer is usually larger). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.off));
  }

  private ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }
}

function utf8Length(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > 0xffff) throw new RangeError(`string of ${n} UTF-8 bytes does not fit a u16 length`);
  return n;
}

function checkUnsigned(v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`expected a safe integer ≥ 0, got ${v}`);
}
