// Strict sequential reader of a frame body: every read is bounds-checked and out-of-range values are rejected,
// so decoders throw MalformedFrameError (never RangeError) on truncated or hostile input.
import { ByteReader } from '../common/index.js';
import { MalformedFrameError } from './errors.js';
import type { Frame } from './frame.js';

const TWO_POW_32 = 0x1_0000_0000;
/** The high word of the largest u64 that is still a safe integer (2^53 − 1). */
const MAX_SAFE_HIGH = 0x1f_ffff;

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

export class WireReader extends ByteReader {
  constructor(buf: Buffer, what: string) {
    super(buf, (reason, cause) => new MalformedFrameError(`${what}: ${reason}`, { cause }));
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

  fail(reason: string, cause?: unknown): never {
    return this.error(reason, cause);
  }
}
