// FrameParser: byte-at-a-time and random chunkings, zero-copy bodies, split prefixes, bad lengths, random garbage.
import { describe, it, expect } from 'vitest';
import { FrameParser } from '../../../protocol/frame-parser.js';
import { encodeFrameToBuffer, type Frame } from '../../../protocol/frame.js';
import { FrameTooLargeError, MalformedFrameError, ProtocolError } from '../../../protocol/errors.js';
import { prng, randomChunks, type Prng } from './prng.js';

interface Expected {
  command: number;
  flags: number;
  requestId: number;
  body: Buffer;
}

function randomFrames(rng: Prng, count: number, maxBody: number): { frames: Expected[]; stream: Buffer } {
  const frames: Expected[] = [];
  for (let i = 0; i < count; i++) {
    frames.push({ command: rng.int(0, 0xffff), flags: rng.int(0, 0xffff), requestId: rng.int(0, 0xffffffff), body: rng.bytes(rng.int(0, maxBody)) });
  }
  const stream = Buffer.concat(frames.map((f) => encodeFrameToBuffer(f.command, f.flags, f.requestId, [f.body])));
  return { frames, stream };
}

function plain(frames: readonly Frame[]): { command: number; flags: number; requestId: number; body: string }[] {
  return frames.map((f) => ({ command: f.command, flags: f.flags, requestId: f.requestId, body: f.body.toString('hex') }));
}

function feed(parser: FrameParser, chunks: readonly Buffer[]): Frame[] {
  const out: Frame[] = [];
  for (const chunk of chunks) out.push(...parser.push(chunk));
  return out;
}

/** Whole-buffer reference parse: the frames before the first bad length, and that length's error class. */
function referenceParse(data: Buffer, max: number): { frames: Expected[]; error?: typeof FrameTooLargeError | typeof MalformedFrameError } {
  const frames: Expected[] = [];
  let off = 0;
  while (data.length - off >= 4) {
    const length = data.readUInt32BE(off);
    if (length > max) return { frames, error: FrameTooLargeError };
    if (length < 8) return { frames, error: MalformedFrameError };
    if (data.length - off - 4 < length) break;
    const at = off + 4;
    frames.push({ command: data.readUInt16BE(at), flags: data.readUInt16BE(at + 2), requestId: data.readUInt32BE(at + 4), body: data.subarray(at + 8, at + length) });
    off = at + length;
  }
  return { frames };
}

describe('FrameParser', () => {
  it('parses a stream fed one byte at a time', () => {
    const { frames, stream } = randomFrames(prng(1), 25, 300);
    const parser = new FrameParser();
    const got = feed(parser, [...stream].map((b) => Buffer.from([b])));
    expect(plain(got)).toEqual(plain(frames));
    expect(parser.state).toBe('prefix');
  });

  it('parses the same frames under 300 random chunkings', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = prng(seed);
      const { frames, stream } = randomFrames(rng, rng.int(1, 20), rng.int(0, 3000));
      const got = feed(new FrameParser(), randomChunks(stream, rng, rng.int(1, 5000)));
      expect(plain(got), `seed ${seed}`).toEqual(plain(frames));
    }
  });

  it('returns frames wholly inside a chunk as zero-copy views of that chunk', () => {
    const { frames, stream } = randomFrames(prng(2), 40, 200);
    const chunk = Buffer.concat([Buffer.alloc(3), stream]).subarray(3); // a chunk with a non-zero byteOffset
    const got = new FrameParser().push(chunk);
    expect(plain(got)).toEqual(plain(frames));
    let off = 0;
    for (let i = 0; i < got.length; i++) {
      expect(got[i].body.buffer).toBe(chunk.buffer);
      expect(got[i].body.byteOffset).toBe(chunk.byteOffset + off + 12);
      off += 12 + frames[i].body.length;
    }
  });

  it('assembles a frame split across chunks into one buffer of exactly its size', () => {
    const body = prng(3).bytes(10_000);
    const wire = encodeFrameToBuffer(0x0101, 0, 5, [body]);
    const parser = new FrameParser();
    const chunks = [wire.subarray(0, 100), wire.subarray(100, 5000), wire.subarray(5000)];
    expect(parser.push(chunks[0])).toEqual([]);
    expect(parser.state).toBe('body');
    expect(parser.push(chunks[1])).toEqual([]);
    const [frame] = parser.push(chunks[2]);
    expect(frame.body.equals(body)).toBe(true);
    expect(frame.body.buffer.byteLength).toBe(10_008);
    expect(frame.body.byteOffset).toBe(8);
    for (const chunk of chunks) expect(frame.body.buffer).not.toBe(chunk.buffer);
  });

  it('handles a length prefix split after 1, 2 and 3 bytes, keeping the body zero-copy when it is whole', () => {
    for (const cut of [1, 2, 3]) {
      const a = encodeFrameToBuffer(1, 2, 3, [Buffer.from('first')]);
      const b = encodeFrameToBuffer(4, 5, 6, [Buffer.from('second frame')]);
      const parser = new FrameParser();
      const first = parser.push(Buffer.concat([a, b.subarray(0, cut)]));
      expect(plain(first)).toEqual([{ command: 1, flags: 2, requestId: 3, body: Buffer.from('first').toString('hex') }]);
      const rest = Buffer.from(b.subarray(cut));
      const second = parser.push(rest);
      expect(plain(second)).toEqual([{ command: 4, flags: 5, requestId: 6, body: Buffer.from('second frame').toString('hex') }]);
      expect(second[0].body.buffer).toBe(rest.buffer);
    }
  });

  it('accepts a frame of exactly maxFrameSize and rejects one byte more with FrameTooLargeError', () => {
    const parser = new FrameParser({ maxFrameSize: 64 });
    expect(parser.push(encodeFrameToBuffer(1, 0, 1, [Buffer.alloc(56, 7)]))[0].body.length).toBe(56);
    const header = Buffer.from('00000041', 'hex');
    let error: unknown;
    try {
      parser.push(header);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE', length: 65, maxFrameSize: 64, retriable: false });
    expect(parser.state).toBe('dead');
  });

  it('rejects an oversize length before any of its body arrives, even with a split prefix', () => {
    const parser = new FrameParser({ maxFrameSize: 1000 });
    expect(parser.push(Buffer.from([0xff, 0xff]))).toEqual([]);
    expect(() => parser.push(Buffer.from([0xff, 0xff]))).toThrow(FrameTooLargeError);
  });

  it('rejects lengths 0 to 7 (shorter than the header) with MalformedFrameError', () => {
    for (let length = 0; length < 8; length++) {
      const prefix = Buffer.alloc(12);
      prefix.writeUInt32BE(length);
      expect(() => new FrameParser().push(prefix), `length ${length}`).toThrow(MalformedFrameError);
    }
    expect(new FrameParser().push(Buffer.from('000000080001000200000003', 'hex'))[0]).toMatchObject({ command: 1, flags: 2, requestId: 3 });
  });

  it('stays dead after an error: every later push throws the same error', () => {
    const parser = new FrameParser();
    let first: unknown;
    try {
      parser.push(Buffer.from('00000001', 'hex'));
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(MalformedFrameError);
    expect(() => parser.push(encodeFrameToBuffer(1, 0, 1))).toThrow(first as Error);
    expect(() => parser.push(Buffer.alloc(0))).toThrow(first as Error);
  });

  it('on random garbage throws only ProtocolErrors and agrees with a whole-buffer reference parse', () => {
    const max = 1024;
    const outcomes = { clean: 0, tooLarge: 0, malformed: 0, framesBeforeError: 0 };
    for (let seed = 1; seed <= 500; seed++) {
      const rng = prng(1000 + seed);
      // Plausible-looking garbage: random small lengths (some invalid) followed by random bytes, then pure noise.
      const parts: Buffer[] = [];
      for (let i = rng.int(0, 6); i > 0; i--) {
        const pick = rng.next();
        const length =
          pick < 0.85 ? rng.int(8, max) : pick < 0.9 ? rng.int(0, 7) : pick < 0.95 ? rng.int(max + 1, max + 8) : rng.int(0, 0xffffffff);
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(length);
        parts.push(prefix, rng.bytes(rng.next() < 0.8 ? Math.min(length, 2000) : rng.int(0, 50)));
      }
      parts.push(rng.bytes(rng.next() < 0.7 ? rng.int(0, 3) : rng.int(0, 64)));
      const data = Buffer.concat(parts);
      const expected = referenceParse(data, max);

      const parser = new FrameParser({ maxFrameSize: max });
      const got: Frame[] = [];
      let error: unknown;
      for (const chunk of randomChunks(data, rng, rng.int(1, 600))) {
        try {
          got.push(...parser.push(chunk));
        } catch (err) {
          error = err;
          break;
        }
      }
      if (expected.error === undefined) {
        expect(error, `seed ${seed}`).toBeUndefined();
        expect(plain(got), `seed ${seed}`).toEqual(plain(expected.frames));
        outcomes.clean++;
      } else {
        expect(error, `seed ${seed}`).toBeInstanceOf(ProtocolError);
        expect(error, `seed ${seed}`).toBeInstanceOf(expected.error);
        // Frames completed in the chunk that held the error are dropped with it; the rest are a prefix.
        expect(plain(got), `seed ${seed}`).toEqual(plain(expected.frames.slice(0, got.length)));
        expect(parser.state).toBe('dead');
        if (expected.error === FrameTooLargeError) outcomes.tooLarge++;
        else outcomes.malformed++;
        if (got.length > 0) outcomes.framesBeforeError++;
      }
    }
    // The generator must exercise every outcome, or this test proves nothing.
    expect(outcomes.clean).toBeGreaterThan(25);
    expect(outcomes.tooLarge).toBeGreaterThan(25);
    expect(outcomes.malformed).toBeGreaterThan(25);
    expect(outcomes.framesBeforeError).toBeGreaterThan(25);
  });

  it('refuses a maxFrameSize smaller than the header', () => {
    expect(() => new FrameParser({ maxFrameSize: 7 })).toThrow(RangeError);
  });
});
