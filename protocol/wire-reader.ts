// Strict sequential reader of a frame body: every read is bounds-checked and out-of-range values are rejected,
// so decoders throw MalformedFrameError (never RangeError) on truncated or hostile input.
import { MalformedFrameError } from './errors.js';
import type { Frame } from './frame.js';

const TWO_POW_32 = 0x1_0000_0000;
/** The high word of the largest u64 that is still a safe integer (2^53 − 1). */
const MAX_SAFE_HIGH = 0x1f_ffff;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks a frame's command and that it sets no flag outside `knownFlags`; returns a reader over its body. */
export function readerFor(frame: Frame, command: number, knownFlags: number, what: string): WireReader {
  if (frame.command !== command) {
    throw new MalformedFrameError(`${what}: expected command 0x${command.toString(16)}, got 0x${frame.command.toString(16)}`);
  }
  if ((frame.flags & ~knownFlags) !== 0) {
    throw new MalformedFrameError(`${what}: unknown flags 0x${frame.flags.toString(16)}`);
  }
  return new WireReader(frame.body, what);
}

export class WireReader {
  private off = 0;

  constructor(private readonly buf: Buffer, private readonly what: string) {}

  get remaining(): number {
    return this.buf.length - this.off;
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

  /** A u64 decoded to a number; values above Number.MAX_SAFE_INTEGER are malformed. */
  u64(field: string): number {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.off);
    const lo = this.buf.readUInt32BE(this.off + 4);
    if (hi > MAX_SAFE_HIGH) this.fail(`${field} exceeds 2^53-1`);
    this.off += 8;
    return hi * TWO_POW_32 + lo;
  }

  /** An i64 that is −1 (none) or a safe non-negative integer; any other negative value is malformed. */
  lac(field: string): number {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.off);
    const lo = this.buf.readUInt32BE(this.off + 4);
    if (hi === 0xffffffff && lo === 0xffffffff) {
      this.off += 8;
      return -1;
    }
    if (hi > MAX_SAFE_HIGH) this.fail(`${field} is neither -1 nor in [0, 2^53-1]`);
    this.off += 8;
    return hi * TWO_POW_32 + lo;
  }

  /** `n` bytes as a zero-copy view of the body. */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }

  /** A string as u16be byte length + UTF-8 bytes; invalid UTF-8 is malformed. */
  string16(field: string): string {
    const n = this.u16();
    const bytes = this.bytes(n);
    try {
      return utf8.decode(bytes);
    } catch (err) {
      return this.fail(`${field} is not valid UTF-8`, err);
    }
  }

  /** Asserts the whole body was consumed. */
  end(): void {
    if (this.off !== this.buf.length) this.fail(`${this.buf.length - this.off} trailing bytes`);
  }

  fail(reason: string, cause?: unknown): never {
    throw new MalformedFrameError(`${this.what}: ${reason} (at body offset ${this.off})`, { cause });
  }

  private need(n: number): void {
    if (this.buf.length - this.off < n) this.fail(`truncated: need ${n} more bytes, have ${this.buf.length - this.off}`);
  }
}
