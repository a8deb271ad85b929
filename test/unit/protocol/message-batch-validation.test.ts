// The batch decoders refuse everything the grammar and limits do not allow, with typed errors only (never a
// RangeError or a wrong message); the encoders refuse what the format cannot carry.
import { describe, it, expect } from 'vitest';
import {
  decodeMessageBatchHeader,
  decodeMessages,
  encodeMessageBatch,
  MalformedBatchError,
  MAX_BATCH_MESSAGES,
  MAX_ENTRY_SIZE,
  ProtocolError,
  UnsupportedBatchFormatError,
  type MessageInput,
} from '../../../protocol/index.js';
import { prng } from './prng.js';

interface RawHeader {
  magic?: number;
  version?: number;
  flags?: number;
  name?: Buffer;
  firstSequenceId?: bigint;
  publishTime?: bigint;
  count?: number;
  payloadLength?: number;
}

/** A batch assembled field by field, so a test can break exactly one field. */
function rawBatch(h: RawHeader, payload: Buffer): Buffer {
  const name = h.name ?? Buffer.alloc(0);
  const head = Buffer.alloc(34 + name.length);
  head.writeUInt32BE(h.magic ?? 0x53544d42, 0);
  head.writeUInt16BE(h.version ?? 1, 4);
  head.writeUInt16BE(h.flags ?? 0, 6);
  head.writeUInt16BE(name.length, 8);
  name.copy(head, 10);
  head.writeBigInt64BE(h.firstSequenceId ?? -1n, 10 + name.length);
  head.writeBigUInt64BE(h.publishTime ?? 0n, 18 + name.length);
  head.writeUInt32BE(h.count ?? 1, 26 + name.length);
  head.writeUInt32BE(h.payloadLength ?? payload.length, 30 + name.length);
  return Buffer.concat([head, payload]);
}

interface RawMessage {
  flags?: number;
  eventTime?: bigint;
  key?: Buffer;
  value?: Buffer;
  properties?: [Buffer, Buffer][];
  propertyCount?: number;
}

function rawMessage(m: RawMessage): Buffer {
  const parts: Buffer[] = [];
  const fixed = Buffer.alloc(9);
  fixed[0] = m.flags ?? (m.key === undefined ? 0 : 1);
  fixed.writeBigUInt64BE(m.eventTime ?? 0n, 1);
  parts.push(fixed);
  if (m.key !== undefined) parts.push(u16(m.key.length), m.key);
  const value = m.value ?? Buffer.alloc(0);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length);
  parts.push(len, value);
  const props = m.properties ?? [];
  parts.push(u16(m.propertyCount ?? props.length));
  for (const [k, v] of props) parts.push(u16(k.length), k, u16(v.length), v);
  return Buffer.concat(parts);
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

const valid = rawBatch({}, rawMessage({ value: Buffer.from('v') }));
const BAD_UTF8 = Buffer.from([0xc3, 0x28]);

describe('batch header validation', () => {
  it('the hand-built batch is valid (so each case below breaks exactly one thing)', () => {
    const view = decodeMessageBatchHeader(valid);
    expect(decodeMessages(view.payload, view.messageCount)[0].value.toString()).toBe('v');
  });

  it('every truncation and any trailing byte is malformed', () => {
    for (let n = 0; n < valid.length; n++) {
      expect(() => decodeMessageBatchHeader(valid.subarray(0, n)), `prefix of ${n}`).toThrow(MalformedBatchError);
    }
    expect(() => decodeMessageBatchHeader(Buffer.concat([valid, Buffer.from([0])]))).toThrow(MalformedBatchError);
  });

  it('another magic is malformed; an unknown version, codec or flag is unsupported', () => {
    const payload = rawMessage({});
    expect(() => decodeMessageBatchHeader(rawBatch({ magic: 0x53544d43 }, payload))).toThrow(/not a message batch/);
    for (const version of [0, 2, 0xffff]) {
      expect(() => decodeMessageBatchHeader(rawBatch({ version }, payload))).toThrow(UnsupportedBatchFormatError);
    }
    for (const flags of [3, 4, 7, 0x0010, 0x8000]) {
      expect(() => decodeMessageBatchHeader(rawBatch({ flags }, payload)), `flags ${flags}`).toThrow(UnsupportedBatchFormatError);
    }
  });

  it('header fields out of range are malformed', () => {
    const p = rawMessage({});
    const cases: [string, Buffer][] = [
      ['no messages', rawBatch({ count: 0 }, Buffer.alloc(0))],
      ['too many messages', rawBatch({ count: MAX_BATCH_MESSAGES + 1, payloadLength: 0, flags: 1 }, Buffer.from('z'))],
      ['payload too short for the count', rawBatch({ count: 2 }, p)],
      ['payload length too large', rawBatch({ flags: 2, payloadLength: MAX_ENTRY_SIZE + 1 }, Buffer.from('z'))],
      ['payload length disagrees with the payload', rawBatch({ payloadLength: p.length + 1 }, p)],
      ['compressed payload missing', rawBatch({ flags: 1, payloadLength: 15 }, Buffer.alloc(0))],
      ['sequence id −2', rawBatch({ firstSequenceId: -2n }, p)],
      ['sequence id above 2^53−1', rawBatch({ firstSequenceId: 2n ** 53n }, p)],
      ['last sequence id above 2^53−1', rawBatch({ firstSequenceId: 2n ** 53n - 1n, count: 2 }, Buffer.concat([p, p]))],
      ['publish time above 2^53−1', rawBatch({ publishTime: 2n ** 53n }, p)],
      ['producer name too long', rawBatch({ name: Buffer.alloc(257, 0x61) }, p)],
      ['producer name not UTF-8', rawBatch({ name: BAD_UTF8 }, p)],
    ];
    for (const [what, entry] of cases) expect(() => decodeMessageBatchHeader(entry), what).toThrow(MalformedBatchError);
  });

  it('limits are inclusive: a 256-byte producer name and the largest sequence id are accepted', () => {
    const entry = rawBatch({ name: Buffer.alloc(256, 0x61), firstSequenceId: 2n ** 53n - 1n }, rawMessage({}));
    expect(decodeMessageBatchHeader(entry)).toMatchObject({ firstSequenceId: Number.MAX_SAFE_INTEGER, producerName: 'a'.repeat(256) });
  });
});

describe('message validation', () => {
  const one = (m: RawMessage): (() => unknown) => () => decodeMessages(rawMessage(m), 1);

  it('reserved message flags, values out of range, bad UTF-8 and repeated property names are malformed', () => {
    expect(one({ flags: 0x02 })).toThrow(/reserved message flags/);
    expect(one({ eventTime: 2n ** 53n })).toThrow(/eventTime/);
    expect(one({ key: BAD_UTF8 })).toThrow(/key is not valid UTF-8/);
    expect(one({ properties: [[BAD_UTF8, Buffer.from('v')]] })).toThrow(/property name is not valid UTF-8/);
    expect(one({ properties: [[Buffer.from('k'), BAD_UTF8]] })).toThrow(/property "k" is not valid UTF-8/);
    expect(one({ properties: [[Buffer.from('k'), Buffer.from('1')], [Buffer.from('k'), Buffer.from('2')]] })).toThrow(/duplicate property "k"/);
    expect(one({ propertyCount: 1025 })).toThrow(/1025 properties/);
    for (const m of [{ flags: 0x02 }, { key: BAD_UTF8 }, { propertyCount: 1025 }] as RawMessage[]) expect(one(m)).toThrow(MalformedBatchError);
  });

  it('the count must match the payload exactly', () => {
    const two = Buffer.concat([rawMessage({ value: Buffer.from('a') }), rawMessage({ key: Buffer.from('k') })]);
    expect(decodeMessages(two, 2).map((m) => m.key)).toEqual([undefined, 'k']);
    expect(() => decodeMessages(two, 1)).toThrow(/trailing bytes/);
    expect(() => decodeMessages(two, 3)).toThrow(/message 2: truncated/);
    for (let n = 0; n < two.length; n++) expect(() => decodeMessages(two.subarray(0, n), 2)).toThrow(MalformedBatchError);
    expect(() => decodeMessages(two, 0)).toThrow(RangeError);
  });

  it('random corruption of valid batches yields the batch or a typed protocol error, nothing else', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const rng = prng(seed);
      const messages: MessageInput[] = Array.from({ length: rng.int(1, 4) }, (_, i) => ({
        key: i % 2 === 0 ? `k${i}` : undefined,
        value: rng.bytes(rng.int(0, 8)),
        properties: i % 3 === 0 ? { a: 'b', c: 'd' } : undefined,
      }));
      const entry = Buffer.concat(encodeMessageBatch({ producerName: 'pp', firstSequenceId: 5, publishTime: 1 }, messages));
      for (let flips = rng.int(1, 3); flips > 0; flips--) entry[rng.int(0, entry.length - 1)] = rng.int(0, 255);
      try {
        const view = decodeMessageBatchHeader(entry);
        if (view.compression === 0) decodeMessages(view.payload, view.messageCount);
      } catch (err) {
        expect(err, `seed ${seed}`).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

describe('batch encoder limits', () => {
  const v = Buffer.from('v');
  const batch = (messages: MessageInput[], init: object = {}): (() => unknown) => () => encodeMessageBatch({ publishTime: 0, ...init }, messages);

  it('refuses what the format cannot carry', () => {
    expect(batch([])).toThrow(RangeError);
    expect(batch([{ value: v, key: 'k'.repeat(65_536) }])).toThrow(/key is 65536 UTF-8 bytes/);
    expect(batch([{ value: v, properties: Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`p${i}`, ''])) }])).toThrow(/1025 properties/);
    expect(batch([{ value: v, properties: { p: 'x'.repeat(65_536) } }])).toThrow(/property p/);
    expect(batch([{ value: v, eventTime: -1 }])).toThrow(RangeError);
    expect(batch([{ value: v }], { producerName: 'é'.repeat(129) })).toThrow(/producer name of 258 bytes/);
    expect(batch([{ value: v }], { firstSequenceId: -2 })).toThrow(/firstSequenceId/);
    expect(batch([{ value: v }, { value: v }], { firstSequenceId: Number.MAX_SAFE_INTEGER })).toThrow(/firstSequenceId/);
    expect(batch([{ value: v }], { publishTime: 1.5 })).toThrow(/publishTime/);
    expect(batch([{ value: Buffer.alloc(MAX_ENTRY_SIZE) }])).toThrow(/exceeds/);
    expect(batch(Array.from({ length: MAX_BATCH_MESSAGES + 1 }, () => ({ value: v })))).toThrow(RangeError);
  });

  it('accepts the limits themselves: a 65,535-byte key, 1,024 properties, 65,536 messages', () => {
    const key = 'k'.repeat(65_535);
    const properties = Object.fromEntries(Array.from({ length: 1024 }, (_, i) => [`p${i}`, 'x']));
    const big = decodeMessageBatchHeader(Buffer.concat(encodeMessageBatch({ publishTime: 0 }, [{ value: v, key, properties }])));
    const [m] = decodeMessages(big.payload, 1);
    expect(m.key).toBe(key);
    expect(Object.keys(m.properties)).toHaveLength(1024);
    const many = decodeMessageBatchHeader(Buffer.concat(encodeMessageBatch({ publishTime: 0 }, Array.from({ length: MAX_BATCH_MESSAGES }, () => ({ value: v })))));
    expect(decodeMessages(many.payload, many.messageCount)).toHaveLength(MAX_BATCH_MESSAGES);
  });
});
