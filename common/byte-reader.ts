// Strict sequential reader of binary formats (wire frames, message batches, the broker's state formats):
// every read is bounds-checked, u64s and varints are ≤ 2^53 − 1 and varints in their shortest form, so
// one value has exactly one encoding; every failure throws the format's own typed error.
import { isUtf8 } from 'node:buffer';

const TWO_POW_32 = 0x1_0000_0000;
const MAX_SAFE_HIGH = 0x1f_ffff;

export class ByteReader {
  protected off = 0;

  /** `fail` builds the typed error of the format being read (it receives a reason naming the offset). */
  constructor(
    protected readonly buf: Buffer,
    private readonly makeError: (reason: string, cause?: unknown) => Error,
  ) {}

  get remaining(): number {
    return this.buf.length - this.off;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.off++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }

  u64(field: string): number {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.off);
    if (hi > MAX_SAFE_HIGH) this.error(`${field} exceeds 2^53-1`);
    const v = hi * TWO_POW_32 + this.buf.readUInt32BE(this.off + 4);
    this.off += 8;
    return v;
  }

  varint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) this.error(`${field}: varint not in its shortest form`);
        if (!Number.isSafeInteger(value)) this.error(`${field} exceeds 2^53-1`);
        return value;
      }
      if (i === 7) this.error(`${field}: varint longer than 8 bytes`);
      scale *= 0x80;
    }
  }

  /** `n` bytes as a zero-copy view. */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  string16(field: string): string {
    const bytes = this.bytes(this.u16());
    if (!isUtf8(bytes)) this.error(`${field} is not valid UTF-8`);
    return bytes.toString('utf8');
  }

  /** Asserts that every byte was read. */
  end(): void {
    if (this.off !== this.buf.length) this.error(`${this.buf.length - this.off} trailing bytes`);
  }

  error(reason: string, cause?: unknown): never {
    throw this.makeError(`${reason} (at offset ${this.off})`, cause);
  }

  protected need(n: number): void {
    if (this.buf.length - this.off < n) this.error(`truncated: need ${n} more bytes, have ${this.buf.length - this.off}`);
  }
}
