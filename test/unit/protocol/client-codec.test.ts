// The client protocol codec, driven by the schema table: every command round-trips through the frame parser with its
// payload passed on uncopied, golden bytes follow schema.ts's grammar, and anything off the grammar (truncation,
// trailing bytes, bad bools, requestIds, codes, flags, duplicate property names, invalid UTF-8, random bytes) is a
// MalformedFrameError; encoders refuse values the wire cannot carry with RangeError.
import { describe, it, expect, vi } from 'vitest';
import type * as SchemaModule from '../../../protocol/client/schema.js';
import {
  clientCommands,
  decodeCommand,
  encodeCommand,
  encodeFrameToBuffer,
  FrameParser,
  MalformedFrameError,
  type ClientCommandName,
  type CommandValue,
  type FieldSpec,
  type FieldType,
  type Frame,
  type WirePosition,
} from '../../../protocol/index.js';
import { SeededRandom } from '../../helpers/seeded-random.js';
import { wire } from './wire.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const names = Object.keys(clientCommands) as ClientCommandName[];
const fieldsOf = (name: ClientCommandName): readonly FieldSpec[] => clientCommands[name].fields;
const hasPayload = (name: ClientCommandName): boolean => fieldsOf(name).some((f) => f.type === 'payload');
const encode = (name: ClientCommandName, requestId: number, value: Record<string, unknown>): Buffer[] =>
  encodeCommand(name, requestId, value as CommandValue<typeof name>);
const withBody = (frame: Frame, body: Buffer): Frame => ({ ...frame, body });

/**
 * `full`: every field at or near the top of its range, distinct per field index so swapped fields show;
 * `empty`: zeros, empty strings and lists, −1 for i64, an empty payload.
 */
type Variant = 'full' | 'empty';

function sampleField(type: FieldType, variant: Variant, index: number, name: string): unknown {
  const full = variant === 'full';
  switch (type) {
    case 'u8':
      return full ? 0xf0 + index : 0;
    case 'u16':
      return full ? 0xfe00 + index : 0;
    case 'u32':
      return full ? 0xfedcba00 + index : 0;
    case 'u64':
      return full ? MAX_SAFE - index : 0;
    case 'i64':
      return full ? MAX_SAFE - 100 - index : -1;
    case 'bool':
      return full;
    case 'string':
      return full ? `${name}/é→🙂` : '';
    case 'bytes':
      return full ? Buffer.from([0x00, 0xff, 0x80, index]) : Buffer.alloc(0);
    case 'properties':
      return full ? { a: '1', ключ: 'значение', '': '' } : {};
    case 'positions':
      return full
        ? [
            { ledgerId: MAX_SAFE, entryId: 0, batchIndex: 0xffffffff, batchSize: 1 },
            { ledgerId: 1, entryId: MAX_SAFE - 1, batchIndex: 3, batchSize: 0 },
          ]
        : [];
    case 'payload':
      return full ? Buffer.from('payload \x00\xff bytes', 'latin1') : Buffer.alloc(0);
  }
}

function sampleValue(fields: readonly FieldSpec[], variant: Variant): Record<string, unknown> {
  return Object.fromEntries(fields.map((f, i) => [f.name, sampleField(f.type, variant, i, f.name)]));
}

const sampleRequestId = (name: ClientCommandName, variant: Variant): number =>
  clientCommands[name].kind === 'notice' ? 0 : variant === 'full' ? 0xfffffffe : 1;

/** Wire size of one field value, from the grammar in schema.ts (independent of the codec). */
function fieldSize(type: FieldType, v: unknown): number {
  switch (type) {
    case 'u8':
    case 'bool':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'u64':
    case 'i64':
      return 8;
    case 'string':
      return 2 + Buffer.byteLength(v as string);
    case 'bytes':
      return 4 + (v as Buffer).length;
    case 'properties':
      return Object.entries(v as Record<string, string>).reduce((n, [k, s]) => n + 4 + Buffer.byteLength(k) + Buffer.byteLength(s), 2);
    case 'positions':
      return 4 + 24 * (v as WirePosition[]).length;
    case 'payload':
      return (v as Buffer).length;
  }
}

/** Body offset of every field of `value`. */
function offsets(fields: readonly FieldSpec[], value: Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  let off = 0;
  for (const f of fields) {
    out.set(f.name, off);
    off += fieldSize(f.type, value[f.name]);
  }
  return out;
}

/** The `full` sample of a command, encoded and parsed back into one frame. */
function sampleFrame(name: ClientCommandName): { frame: Frame; value: Record<string, unknown> } {
  const value = sampleValue(fieldsOf(name), 'full');
  return { frame: wire(encode(name, sampleRequestId(name, 'full'), value)).frame, value };
}

describe('client codec round trip', () => {
  it('the table has unique codes, a response right after each request, and payloads only as last field', () => {
    const codes = names.map((n) => clientCommands[n].code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const name of names) {
      const { code, kind } = clientCommands[name];
      expect(code >> 8, name).toBe(0x02);
      if (kind === 'request') expect(codes, `${name} has no response`).toContain(code + 1);
      const fields = fieldsOf(name);
      fields.forEach((f, i) => {
        if (f.type === 'payload') expect(i, `${name}.${f.name}`).toBe(fields.length - 1);
      });
    }
  });

  describe.each(['full', 'empty'] as const)('%s values', (variant) => {
    it.each(names)('%s decodes to what was encoded, whole and one byte at a time', (name) => {
      const value = sampleValue(fieldsOf(name), variant);
      const requestId = sampleRequestId(name, variant);
      const bytes = Buffer.concat(encode(name, requestId, value));
      const expected = { name, requestId, value };
      expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4);
      expect(bytes.readUInt16BE(4)).toBe(clientCommands[name].code);

      const whole = new FrameParser().push(bytes);
      expect(whole).toHaveLength(1);
      expect(decodeCommand(whole[0])).toEqual(expected);

      const parser = new FrameParser();
      const frames: Frame[] = [];
      for (let i = 0; i < bytes.length; i++) frames.push(...parser.push(bytes.subarray(i, i + 1)));
      expect(frames).toHaveLength(1);
      expect(decodeCommand(frames[0])).toEqual(expected);
      expect(parser.state).toBe('prefix');
    });
  });

  it.each(names.filter(hasPayload))('%s passes the caller’s payload Buffer on uncopied and decodes it as a view of the frame', (name) => {
    const value = sampleValue(fieldsOf(name), 'full');
    const payload = value.payload as Buffer;
    const parts = encode(name, sampleRequestId(name, 'full'), value);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(payload);
    expect(parts[0].length + payload.length).toBe(parts[0].readUInt32BE(0) + 4);

    const bytes = Buffer.concat(parts);
    const [frame] = new FrameParser().push(bytes);
    const decoded = decodeCommand(frame).value as Record<string, unknown>;
    const out = decoded.payload as Buffer;
    expect(out.equals(payload)).toBe(true);
    expect(out.buffer).toBe(bytes.buffer);
    expect(out.byteOffset).toBe(bytes.byteOffset + bytes.length - payload.length);
  });

  it('an empty payload leaves only the head', () => {
    const parts = encodeCommand('SEND', 1, { producerId: 1, payload: Buffer.alloc(0) });
    expect(parts).toHaveLength(1);
    expect(parts[0].toString('hex')).toBe('0000000c' + '020b' + '0000' + '00000001' + '00000001');
  });
});

describe('client codec golden bytes', () => {
  it('CONNECT: versions as u16, the client name as u16-length-prefixed UTF-8', () => {
    const parts = encodeCommand('CONNECT', 1, { minVersion: 1, maxVersion: 2, clientName: 'ts/é' });
    const { hex, frame } = wire(parts);
    expect(hex).toBe(
      '00000013' + '0201' + '0000' + '00000001' + // length 19, CONNECT, flags 0, requestId 1
        '0001' + '0002' + // minVersion 1, maxVersion 2
        '0005' + '74732fc3a9', // "ts/é": 5 UTF-8 bytes
    );
    expect(decodeCommand(frame)).toEqual({ name: 'CONNECT', requestId: 1, value: { minVersion: 1, maxVersion: 2, clientName: 'ts/é' } });
  });

  it('SEND: the producer id, then the payload as the rest of the frame', () => {
    const payload = Buffer.from('hello');
    const parts = encodeCommand('SEND', 7, { producerId: 3, payload });
    expect(parts[0].toString('hex')).toBe('00000011' + '020b' + '0000' + '00000007' + '00000003');
    expect(parts[1]).toBe(payload);
    const { hex, frame } = wire(parts);
    expect(hex).toBe(
      '00000011' + '020b' + '0000' + '00000007' + // length 17, SEND, flags 0, requestId 7
        '00000003' + '68656c6c6f', // producerId 3, "hello"
    );
    expect(decodeCommand(frame)).toEqual({ name: 'SEND', requestId: 7, value: { producerId: 3, payload } });
  });

  it('MESSAGE: a notice with requestId 0, u64 positions, a u32-length bitset, then the payload', () => {
    const value = { consumerId: 5, ledgerId: MAX_SAFE, entryId: 42, redeliveryCount: 1, ackedIndexes: Buffer.from([0x05]), payload: Buffer.from('ab') };
    const { hex, frame } = wire(encodeCommand('MESSAGE', 0, value));
    expect(hex).toBe(
      '00000027' + '0211' + '0000' + '00000000' + // length 39, MESSAGE, flags 0, requestId 0
        '00000005' + // consumerId 5
        '001fffffffffffff' + '000000000000002a' + // ledgerId 2^53-1, entryId 42
        '00000001' + // redeliveryCount 1
        '00000001' + '05' + // ackedIndexes: 1 byte, indexes 0 and 2
        '6162', // payload "ab"
    );
    expect(decodeCommand(frame)).toEqual({ name: 'MESSAGE', requestId: 0, value });
  });

  it('ACK: a bool, then a u32 count of 24-byte positions', () => {
    const positions = [
      { ledgerId: 10, entryId: 20, batchIndex: 3, batchSize: 8 },
      { ledgerId: 0x0102030405, entryId: 21, batchIndex: 0, batchSize: 1 },
    ];
    const { hex, frame } = wire(encodeCommand('ACK', 9, { consumerId: 2, cumulative: true, positions }));
    expect(hex).toBe(
      '00000041' + '0213' + '0000' + '00000009' + // length 65, ACK, flags 0, requestId 9
        '00000002' + '01' + '00000002' + // consumerId 2, cumulative, 2 positions
        '000000000000000a' + '0000000000000014' + '00000003' + '00000008' + // 10:20 index 3 of 8
        '0000000102030405' + '0000000000000015' + '00000000' + '00000001', // 0x0102030405:21 index 0 of 1
    );
    expect(decodeCommand(frame)).toEqual({ name: 'ACK', requestId: 9, value: { consumerId: 2, cumulative: true, positions } });
  });

  it('PRODUCER_SUCCESS: an i64 of −1 is all ones', () => {
    const { hex, frame } = wire(encodeCommand('PRODUCER_SUCCESS', 4, { producerName: 'p', lastSequenceId: -1 }));
    expect(hex).toBe('00000013' + '020a' + '0000' + '00000004' + '0001' + '70' + 'ffffffffffffffff');
    expect(decodeCommand(frame).value).toEqual({ producerName: 'p', lastSequenceId: -1 });
  });

  it('PING: a command without fields is the header alone', () => {
    const { hex } = wire(encodeCommand('PING', 0xffffffff, {}));
    expect(hex).toBe('00000008' + '0203' + '0000' + 'ffffffff');
  });
});

describe('client codec validation', () => {
  it.each(names)('%s: every cut before the payload is MalformedFrameError; a cut inside it shortens the payload', (name) => {
    const { frame, value } = sampleFrame(name);
    const payloadLength = hasPayload(name) ? (value.payload as Buffer).length : 0;
    const fixed = frame.body.length - payloadLength;
    for (let n = 0; n < fixed; n++) {
      expect(() => decodeCommand(withBody(frame, frame.body.subarray(0, n))), `cut at ${n}`).toThrow(MalformedFrameError);
    }
    for (let n = fixed; n < frame.body.length; n++) {
      const decoded = decodeCommand(withBody(frame, frame.body.subarray(0, n))).value as Record<string, unknown>;
      expect(decoded.payload).toEqual(frame.body.subarray(fixed, n));
    }
  });

  it.each(names.filter((n) => !hasPayload(n)))('%s: a trailing byte is MalformedFrameError', (name) => {
    const { frame } = sampleFrame(name);
    for (const extra of [[0], [0xff], [1, 2, 3, 4, 5, 6, 7, 8]]) {
      expect(() => decodeCommand(withBody(frame, Buffer.concat([frame.body, Buffer.from(extra)])))).toThrow(/trailing bytes/);
    }
  });

  it.each(names.filter(hasPayload))('%s: bytes after the fixed fields are the payload, never trailing', (name) => {
    const { frame } = sampleFrame(name);
    const decoded = decodeCommand(withBody(frame, Buffer.concat([frame.body, Buffer.from([0xee])]))).value as Record<string, unknown>;
    expect((decoded.payload as Buffer).subarray(-1)).toEqual(Buffer.from([0xee]));
  });

  const boolFields = names.flatMap((n) => fieldsOf(n).filter((f) => f.type === 'bool').map((f) => [n, f.name] as const));

  it.each(boolFields)('%s.%s: a bool other than 0 or 1 is MalformedFrameError', (name, field) => {
    const { frame, value } = sampleFrame(name);
    const at = offsets(fieldsOf(name), value).get(field)!;
    expect(frame.body[at]).toBe(1);
    for (const bad of [2, 0x80, 0xff]) {
      const body = Buffer.from(frame.body);
      body[at] = bad;
      expect(() => decodeCommand(withBody(frame, body))).toThrow(MalformedFrameError);
      expect(() => decodeCommand(withBody(frame, body))).toThrow(`${field} must be 0 or 1, got ${bad}`);
    }
  });

  it('every notice with a requestId, and every request or response without one, is MalformedFrameError', () => {
    for (const name of names) {
      const { frame } = sampleFrame(name);
      const notice = clientCommands[name].kind === 'notice';
      for (const requestId of notice ? [1, 0xffffffff] : [0]) {
        expect(() => decodeCommand({ ...frame, requestId }), `${name} requestId ${requestId}`).toThrow(MalformedFrameError);
        expect(() => decodeCommand({ ...frame, requestId })).toThrow(/requestId must be/);
      }
    }
  });

  it('a command code outside the table is MalformedFrameError, whatever the body', () => {
    const known = new Set<number>(names.map((n) => clientCommands[n].code));
    const unknown = [0x0000, 0x0001, 0x0101, 0x0102, 0xffff];
    for (let code = 0x0200; code <= 0x02ff; code++) if (!known.has(code)) unknown.push(code);
    expect(unknown).toContain(0x0210);
    for (const command of unknown) {
      for (const body of [Buffer.alloc(0), Buffer.alloc(16)]) {
        expect(() => decodeCommand({ command, flags: 0, requestId: 1, body }), `0x${command.toString(16)}`).toThrow(/unknown command/);
      }
    }
  });

  it('any set flag is MalformedFrameError', () => {
    for (const name of names) {
      const { frame } = sampleFrame(name);
      for (let bit = 0; bit < 16; bit++) {
        expect(() => decodeCommand({ ...frame, flags: 1 << bit }), `${name} flag ${bit}`).toThrow(MalformedFrameError);
      }
    }
  });

  const stringFields = names.flatMap((n) => fieldsOf(n).filter((f) => f.type === 'string').map((f) => [n, f.name] as const));

  it.each(stringFields)('%s.%s: invalid UTF-8 is MalformedFrameError', (name, field) => {
    const { frame, value } = sampleFrame(name);
    const at = offsets(fieldsOf(name), value).get(field)! + 2; // after the u16 length
    const body = Buffer.from(frame.body);
    body[at] = 0xff;
    expect(() => decodeCommand(withBody(frame, body))).toThrow(MalformedFrameError);
    expect(() => decodeCommand(withBody(frame, body))).toThrow(`${field} is not valid UTF-8`);
  });

  it('rejects every kind of invalid UTF-8 sequence: stray continuation, overlong, surrogate, above U+10FFFF, cut', () => {
    for (const bad of ['80', 'c0af', 'e080af', 'eda080', 'f4908080', 'e282']) {
      const name = Buffer.from(bad, 'hex');
      const body = Buffer.concat([Buffer.from('00010001', 'hex'), Buffer.from([0, name.length]), name]);
      expect(() => decodeCommand({ command: clientCommands.CONNECT.code, flags: 0, requestId: 1, body }), bad).toThrow(/clientName is not valid UTF-8/);
    }
  });

  it('a positions count larger than the body is MalformedFrameError before anything is allocated', () => {
    const { frame, value } = sampleFrame('ACK');
    const at = offsets(fieldsOf('ACK'), value).get('positions')!;
    for (const count of [3, 0x0aaaaaab, 0xffffffff]) {
      const body = Buffer.from(frame.body);
      body.writeUInt32BE(count, at);
      expect(() => decodeCommand(withBody(frame, body)), `count ${count}`).toThrow(/positions do not fit/);
    }
  });

  it('u64 above 2^53−1 and i64 below −1 are MalformedFrameError', () => {
    const message = sampleFrame('MESSAGE');
    const ledgerAt = offsets(fieldsOf('MESSAGE'), message.value).get('ledgerId')!;
    const big = Buffer.from(message.frame.body);
    big.write('0020000000000000', ledgerAt, 'hex');
    expect(() => decodeCommand(withBody(message.frame, big))).toThrow(/ledgerId exceeds 2\^53-1/);

    const receipt = sampleFrame('SEND_RECEIPT');
    const entryAt = offsets(fieldsOf('SEND_RECEIPT'), receipt.value).get('entryId')!;
    for (const hex of ['fffffffffffffffe', '8000000000000000', '0020000000000000']) {
      const body = Buffer.from(receipt.frame.body);
      body.write(hex, entryAt, 'hex');
      expect(() => decodeCommand(withBody(receipt.frame, body)), hex).toThrow(/entryId is neither -1 nor in \[0, 2\^53-1\]/);
    }
  });

  it('random frames of the table’s commands decode or throw MalformedFrameError, never another error (20k, seeded)', () => {
    const seed = 0x5ea1c0de;
    const rng = new SeededRandom(seed);
    const valid = new Map(names.map((n) => [n, sampleFrame(n).frame.body]));
    const edgeBytes = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xc3, 0xed, 0xff];
    const randomBytes = (n: number, edges: boolean): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = edges ? rng.pick(edgeBytes) : rng.int(256);
      return b;
    };
    let decoded = 0;
    let malformed = 0;
    for (let i = 0; i < 20_000; i++) {
      const name = rng.pick(names);
      const notice = clientCommands[name].kind === 'notice';
      const flags = rng.int(20) === 0 ? 1 << rng.int(16) : 0;
      const requestId = rng.int(20) === 0 ? rng.int(2) : notice ? 0 : 1 + rng.int(0xfffffffe);
      const base = valid.get(name)!;
      let body: Buffer;
      switch (rng.int(4)) {
        case 0: // random bytes, short enough for small length fields to fit
          body = randomBytes(rng.int(80), rng.int(2) === 0);
          break;
        case 1: {
          // the valid body with a few bytes replaced
          body = Buffer.from(base);
          for (let k = 1 + rng.int(3); k > 0 && body.length > 0; k--) body[rng.int(body.length)] = rng.int(2) === 0 ? rng.pick(edgeBytes) : rng.int(256);
          break;
        }
        case 2: // the valid body cut or extended
          body = rng.int(2) === 0 ? base.subarray(0, rng.int(base.length + 1)) : Buffer.concat([base, randomBytes(1 + rng.int(8), true)]);
          break;
        default: // the valid body of another command
          body = valid.get(rng.pick(names))!;
      }
      const frames = new FrameParser().push(encodeFrameToBuffer(clientCommands[name].code, flags, requestId, [body]));
      expect(frames).toHaveLength(1);
      try {
        decodeCommand(frames[0]);
        decoded++;
      } catch (err) {
        if (!(err instanceof MalformedFrameError)) {
          throw new Error(`seed ${seed}, iteration ${i}: ${name} flags ${flags} requestId ${requestId} body ${body.toString('hex')} threw ${String(err)}`, { cause: err });
        }
        malformed++;
      }
    }
    expect(decoded).toBeGreaterThan(2_000);
    expect(malformed).toBeGreaterThan(2_000);
  });
});

describe('client codec encoder limits', () => {
  const message = { consumerId: 1, ledgerId: 1, entryId: 1, redeliveryCount: 0, ackedIndexes: Buffer.alloc(0), payload: Buffer.alloc(0) };

  it('refuses u64 values that are negative, above 2^53−1 or not integers', () => {
    for (const ledgerId of [-1, MAX_SAFE + 1, 1.5, NaN, Infinity]) {
      expect(() => encodeCommand('MESSAGE', 0, { ...message, ledgerId }), String(ledgerId)).toThrow(RangeError);
    }
    const position = { ledgerId: 1, entryId: 1, batchIndex: 0, batchSize: 1 };
    expect(() => encodeCommand('ACK', 1, { consumerId: 1, cumulative: false, positions: [{ ...position, entryId: -1 }] })).toThrow(RangeError);
  });

  it('refuses i64 values below −1', () => {
    for (const entryId of [-2, -MAX_SAFE, MAX_SAFE + 1]) {
      expect(() => encodeCommand('SEND_RECEIPT', 1, { duplicate: false, ledgerId: 1, entryId, batchIndex: 0 }), String(entryId)).toThrow(RangeError);
    }
  });

  it('refuses strings over 65535 UTF-8 bytes, and carries exactly 65535', () => {
    const connect = (clientName: string) => encodeCommand('CONNECT', 1, { minVersion: 1, maxVersion: 1, clientName });
    expect(() => connect('x'.repeat(65_536))).toThrow(RangeError);
    expect(() => connect('é'.repeat(32_768))).toThrow(RangeError); // 32768 characters, 65536 bytes
    const longest = 'x'.repeat(65_535);
    expect(decodeCommand(wire(connect(longest)).frame).value).toEqual({ minVersion: 1, maxVersion: 1, clientName: longest });
  });

  it('refuses fixed-width integers out of their range and requestIds outside u32', () => {
    expect(() => encodeCommand('CONNECT', 1, { minVersion: 0x10000, maxVersion: 1, clientName: '' })).toThrow(RangeError);
    expect(() => encodeCommand('FLOW', 0, { consumerId: 1, permits: -1 })).toThrow(RangeError);
    expect(() => encodeCommand('FLOW', 0, { consumerId: 2 ** 32, permits: 1 })).toThrow(RangeError);
    expect(() => encodeCommand('TOPIC_MOVED', 0, { kind: 256, id: 1, binaryUrl: '' })).toThrow(RangeError);
    expect(() => encodeCommand('PING', -1, {})).toThrow(RangeError);
    expect(() => encodeCommand('PING', 2 ** 32, {})).toThrow(RangeError);
  });

  it('refuses fractions and NaN in fixed-width integers instead of writing them truncated or as 0', () => {
    for (const bad of [0.5, 1.5, NaN]) {
      expect(() => encodeCommand('FLOW', 0, { consumerId: 1, permits: bad }), `u32 ${bad}`).toThrow(RangeError);
      expect(() => encodeCommand('CONNECT', 1, { minVersion: bad, maxVersion: 1, clientName: '' }), `u16 ${bad}`).toThrow(RangeError);
      expect(() => encodeCommand('TOPIC_MOVED', 0, { kind: bad, id: 1, binaryUrl: '' }), `u8 ${bad}`).toThrow(RangeError);
      expect(() => encodeCommand('PING', bad, {}), `requestId ${bad}`).toThrow(RangeError);
      const position = { ledgerId: 1, entryId: 1, batchIndex: 0, batchSize: 1 };
      expect(() => encodeCommand('NACK', 1, { consumerId: 1, positions: [{ ...position, batchIndex: bad }] })).toThrow(RangeError);
      expect(() => encodeCommand('NACK', 1, { consumerId: 1, positions: [{ ...position, batchSize: bad }] })).toThrow(RangeError);
    }
  });
});

// No command of the table has a `properties` field yet, so these tests load the codec against the table plus one
// test-only command (a fresh module graph: its MalformedFrameError is a different class object than the one above).
describe('client codec properties fields', () => {
  const TEST_COMMAND = {
    code: 0x02f1,
    kind: 'request',
    from: 'client',
    doc: 'test only',
    fields: [
      { name: 'tag', type: 'u8', doc: '' },
      { name: 'properties', type: 'properties', doc: '' },
      { name: 'after', type: 'string', doc: '' },
    ],
  } as const;

  async function withPropertiesCommand(test: (modules: {
    codec: { encode(value: Record<string, unknown>): Buffer[]; decode(frame: Frame): { value: unknown } };
    Malformed: typeof MalformedFrameError;
  }) => void): Promise<void> {
    vi.resetModules();
    vi.doMock('../../../protocol/client/schema.js', async (importOriginal) => {
      const original = await importOriginal<typeof SchemaModule>();
      return { ...original, clientCommands: { ...original.clientCommands, TEST_PROPERTIES: TEST_COMMAND } };
    });
    try {
      const fresh = await import('../../../protocol/client/client-codec.js');
      const errors = await import('../../../protocol/errors.js');
      const name = 'TEST_PROPERTIES' as ClientCommandName;
      test({
        codec: { encode: (value) => fresh.encodeCommand(name, 1, value as CommandValue<typeof name>), decode: (frame) => fresh.decodeCommand(frame) },
        Malformed: errors.MalformedFrameError,
      });
    } finally {
      vi.doUnmock('../../../protocol/client/schema.js');
      vi.resetModules();
    }
  }

  it('round-trip as a u16 count of (name, value) string pairs', async () => {
    await withPropertiesCommand(({ codec }) => {
      const value = { tag: 7, properties: { a: '1', é: '' }, after: 'z' };
      const { hex, frame } = wire(codec.encode(value));
      expect(hex).toBe(
        '0000001a' + '02f1' + '0000' + '00000001' + // length 26, the test command, requestId 1
          '07' + '0002' + // tag 7, 2 properties
          '0001' + '61' + '0001' + '31' + // "a" = "1"
          '0002' + 'c3a9' + '0000' + // "é" = ""
          '0001' + '7a', // after "z"
      );
      expect(codec.decode(frame).value).toEqual(value);
      expect(codec.decode(wire(codec.encode({ tag: 0, properties: {}, after: '' })).frame).value).toEqual({ tag: 0, properties: {}, after: '' });
    });
  });

  it('a duplicate property name, a truncation, or invalid UTF-8 in a name is MalformedFrameError', async () => {
    await withPropertiesCommand(({ codec, Malformed }) => {
      const frame = (bodyHex: string): Frame => ({ command: TEST_COMMAND.code, flags: 0, requestId: 1, body: Buffer.from(bodyHex, 'hex') });
      const ok = '07' + '0002' + '0001' + '61' + '0001' + '31' + '0001' + '62' + '0001' + '32' + '0000';
      expect(codec.decode(frame(ok)).value).toEqual({ tag: 7, properties: { a: '1', b: '2' }, after: '' });
      const duplicate = '07' + '0002' + '0001' + '61' + '0001' + '31' + '0001' + '61' + '0001' + '32' + '0000';
      expect(() => codec.decode(frame(duplicate))).toThrow(Malformed);
      expect(() => codec.decode(frame(duplicate))).toThrow(/properties: duplicate name "a"/);
      const proto = '07' + '0002' + '0009' + Buffer.from('__proto__').toString('hex') + '0000' + '0009' + Buffer.from('__proto__').toString('hex') + '0000' + '0000';
      expect(() => codec.decode(frame(proto))).toThrow(/duplicate name "__proto__"/);
      for (let n = 0; n < ok.length / 2; n++) expect(() => codec.decode(frame(ok.slice(0, 2 * n))), `cut at ${n}`).toThrow(Malformed);
      expect(() => codec.decode(frame('07' + '0001' + '0001' + 'ff' + '0000' + '0000'))).toThrow(/properties name is not valid UTF-8/);
      expect(() => codec.decode(frame('07' + '0001' + '0000' + '0001' + 'ff' + '0000'))).toThrow(/properties value is not valid UTF-8/);
    });
  });

  it('a property whose name is "__proto__" round-trips as an ordinary name', async () => {
    await withPropertiesCommand(({ codec }) => {
      const properties = JSON.parse('{"__proto__":"x","constructor":"y"}') as Record<string, string>;
      const decoded = codec.decode(wire(codec.encode({ tag: 1, properties, after: '' })).frame).value as { properties: Record<string, string> };
      expect(Object.keys(decoded.properties)).toEqual(['__proto__', 'constructor']);
      expect(decoded.properties.__proto__).toBe('x');
    });
  });

  it('refuses more than 65535 properties when encoding; random bodies only ever throw MalformedFrameError', async () => {
    await withPropertiesCommand(({ codec, Malformed }) => {
      const many = Object.fromEntries(Array.from({ length: 65_536 }, (_, i) => [`k${i}`, '']));
      expect(() => codec.encode({ tag: 1, properties: many, after: '' })).toThrow(RangeError);
      const rng = new SeededRandom(0xb0d1e5);
      const small = [0, 1, 2, 0x61, 0xff];
      for (let i = 0; i < 5_000; i++) {
        const body = Buffer.alloc(rng.int(24));
        for (let k = 0; k < body.length; k++) body[k] = rng.int(2) === 0 ? rng.pick(small) : rng.int(256);
        try {
          codec.decode({ command: TEST_COMMAND.code, flags: 0, requestId: 1, body });
        } catch (err) {
          if (!(err instanceof Malformed)) throw new Error(`iteration ${i}: body ${body.toString('hex')} threw ${String(err)}`, { cause: err });
        }
      }
    });
  });
});
