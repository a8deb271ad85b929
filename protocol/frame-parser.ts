// Incremental frame parser: turns a byte stream, cut into chunks anywhere, into frames (see frame.ts for the format).
import { FrameTooLargeError, MalformedFrameError, type ProtocolError } from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from './frame.js';

export interface FrameParserOptions {
  /** Largest accepted value of the length prefix; default DEFAULT_MAX_FRAME_SIZE. */
  maxFrameSize?: number;
}

/**
 * `prefix`: between frames, holding 0–3 bytes of the next length prefix.
 * `body`:   a frame that started in an earlier chunk is being copied into a buffer of its exact size.
 * `dead`:   an error was thrown; every further push throws it again.
 */
export type FrameParserState = 'prefix' | 'body' | 'dead';

/**
 * Contracts:
 * - A frame lying wholly inside one chunk is returned as a `subarray` of that chunk (zero copy), so its body keeps
 *   the chunk alive; a holder that keeps a small body for long (a cache) should copy it.
 * - A frame spanning chunks is copied once into a buffer allocated at its exact size; nothing else is buffered
 *   except up to 3 bytes of a split length prefix.
 * - Invalid input throws a ProtocolError (FrameTooLargeError, MalformedFrameError) as soon as the length prefix is
 *   read; frames completed earlier in the same chunk are discarded with it, and the parser is dead.
 */
export class FrameParser {
  readonly maxFrameSize: number;
  private current: FrameParserState = 'prefix';
  private readonly prefix = Buffer.alloc(LENGTH_PREFIX_SIZE);
  private prefixHave = 0;
  private partial: Buffer | undefined;
  private partialHave = 0;
  private error: ProtocolError | undefined;

  constructor({ maxFrameSize = DEFAULT_MAX_FRAME_SIZE }: FrameParserOptions = {}) {
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < FRAME_HEADER_SIZE || maxFrameSize > 0xffffffff) {
      throw new RangeError(`maxFrameSize must be an integer in [${FRAME_HEADER_SIZE}, 2^32-1], got ${maxFrameSize}`);
    }
    this.maxFrameSize = maxFrameSize;
  }

  get state(): FrameParserState {
    return this.current;
  }

  /** Consumes `chunk` and returns the frames it completed, in order. */
  push(chunk: Buffer): Frame[] {
    if (this.current === 'dead') throw this.error;
    const frames: Frame[] = [];
    const end = chunk.length;
    let off = 0;

    if (this.current === 'body') {
      const partial = this.partial as Buffer;
      const take = Math.min(partial.length - this.partialHave, end);
      chunk.copy(partial, this.partialHave, 0, take);
      this.partialHave += take;
      if (this.partialHave < partial.length) return frames;
      off = take;
      frames.push(frameAt(partial, 0, partial.length));
      this.partial = undefined;
      this.current = 'prefix';
    }

    if (this.prefixHave > 0) {
      const take = Math.min(LENGTH_PREFIX_SIZE - this.prefixHave, end - off);
      chunk.copy(this.prefix, this.prefixHave, off, off + take);
      this.prefixHave += take;
      off += take;
      if (this.prefixHave < LENGTH_PREFIX_SIZE) return frames;
      this.prefixHave = 0;
      off = this.body(chunk, off, this.checkLength(this.prefix.readUInt32BE(0)), frames);
    }

    while (off >= 0 && end - off >= LENGTH_PREFIX_SIZE) {
      const length = this.checkLength(chunk.readUInt32BE(off));
      off = this.body(chunk, off + LENGTH_PREFIX_SIZE, length, frames);
    }

    if (off >= 0 && off < end) {
      chunk.copy(this.prefix, 0, off, end);
      this.prefixHave = end - off;
    }
    return frames;
  }

  /** Takes a body of `length` bytes starting at `off`: returns the offset after it, or -1 if it continues later. */
  private body(chunk: Buffer, off: number, length: number, frames: Frame[]): number {
    if (chunk.length - off >= length) {
      frames.push(frameAt(chunk, off, length));
      return off + length;
    }
    const partial = Buffer.allocUnsafe(length);
    this.partialHave = chunk.copy(partial, 0, off, chunk.length);
    this.partial = partial;
    this.current = 'body';
    return -1;
  }

  private checkLength(length: number): number {
    if (length > this.maxFrameSize) throw this.die(new FrameTooLargeError(length, this.maxFrameSize));
    if (length < FRAME_HEADER_SIZE) {
      throw this.die(new MalformedFrameError(`frame length ${length} is shorter than the ${FRAME_HEADER_SIZE}-byte header`));
    }
    return length;
  }

  private die(error: ProtocolError): ProtocolError {
    this.current = 'dead';
    this.error = error;
    this.partial = undefined;
    return error;
  }
}

function frameAt(buf: Buffer, start: number, length: number): Frame {
  return {
    command: buf.readUInt16BE(start),
    flags: buf.readUInt16BE(start + 2),
    requestId: buf.readUInt32BE(start + 4),
    body: buf.subarray(start + FRAME_HEADER_SIZE, start + length),
  };
}
