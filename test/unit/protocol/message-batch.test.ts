// The message batch format: golden bytes, round trips of random batches, zero-copy values, and the header-only path.
import { describe, it, expect } from 'vitest';
import {
  batchPayload,
  CompressionCodec,
  payloadFormatProblem,
  decodeMessageBatchHeader,
  decodeMessages,
  encodeMessageBatch,
  encodeMessageBatchHeader,
  MalformedBatchError,
  type MessageInput,
} from '../../../protocol/index.js';
import { prng, type Prng } from './prng.js';

const PUBLISH = 1_700_000_000_000; // 0x0000018bcfe56800

describe('message batch golden bytes', () => {
  it('a named producer with sequence ids: a keyed message with a property, then an empty anonymous-key one', () => {
    const parts = encodeMessageBatch({ producerName: 'p1', firstSequenceId: 41, publishTime: PUBLISH }, [
      { key: 'k', value: Buffer.from('hi'), properties: { a: 'b' }, eventTime: 5 },
      { value: Buffer.alloc(0) },
    ]);
    expect(Buffer.concat(parts).toString('hex')).toBe(
      '53544d42' + '0001' + '0000' + // magic 'STMB', version 1, flags: codec none
        '0002' + '7031' + // producer "p1"
        '0000000000000029' + '0000018bcfe56800' + // firstSequenceId 41, publishTime
        '00000002' + '00000029' + // 2 messages, 41 payload bytes
        '01' + '0000000000000005' + '0001' + '6b' + // HAS_KEY, eventTime 5, key "k"
        '00000002' + '6869' + '0001' + '0001' + '61' + '0001' + '62' + // value "hi", 1 property: a = b
        '00' + '0000000000000000' + '00000000' + '0000', // no key, no event time, empty value, no properties
    );
  });

  it('an anonymous producer without sequence ids writes an empty name and −1', () => {
    const parts = encodeMessageBatch({ publishTime: 1 }, [{ value: Buffer.from([0xff]) }]);
    expect(Buffer.concat(parts).toString('hex')).toBe(
      '53544d42' + '0001' + '0000' + '0000' + 'ffffffffffffffff' + '0000000000000001' + '00000001' + '00000010' +
        '00' + '0000000000000000' + '00000001' + 'ff' + '0000',
    );
  });

  it('a compressing encoder states the codec in the low flag bits and the uncompressed length', () => {
    const head = encodeMessageBatchHeader({
      compression: CompressionCodec.LZ4,
      producerName: '',
      firstSequenceId: -1,
      publishTime: 0,
      messageCount: 1,
      payloadLength: 15,
    });
    expect(head.toString('hex')).toBe('53544d42' + '0001' + '0001' + '0000' + 'ffffffffffffffff' + '0000000000000000' + '00000001' + '0000000f');
  });
});

describe('message batch round trips', () => {
  it('random batches decode to what was encoded', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = prng(seed);
      const messages = Array.from({ length: rng.int(1, 20) }, () => randomMessage(rng));
      const init = {
        producerName: rng.int(0, 3) === 0 ? '' : `producer-${seed}-é`,
        firstSequenceId: rng.int(0, 3) === 0 ? -1 : rng.int(0, 1_000_000),
        publishTime: rng.int(0, 2 ** 31) * 1000,
      };
      const entry = Buffer.concat(encodeMessageBatch(init, messages));
      const view = decodeMessageBatchHeader(entry);
      expect(view, `seed ${seed}`).toMatchObject({ ...init, compression: 0, messageCount: messages.length, payloadLength: view.payload.length });
      expect(decodeMessages(view.payload, view.messageCount), `seed ${seed}`).toEqual(messages.map(normalised));
    }
  });

  it('keys, property names and values may be empty or any Unicode, and "__proto__" is an ordinary property', () => {
    const messages: MessageInput[] = [
      { key: '', value: Buffer.from('a'), properties: { '': '', __proto__x: 'y' } },
      { key: 'ключ 🔑', value: Buffer.from('b'), properties: JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string> },
    ];
    const view = decodeMessageBatchHeader(Buffer.concat(encodeMessageBatch({ publishTime: 0 }, messages)));
    const [first, second] = decodeMessages(view.payload, 2);
    expect(first.key).toBe('');
    expect(first.properties).toEqual({ '': '', __proto__x: 'y' });
    expect(second.key).toBe('ключ 🔑');
    expect(Object.keys(second.properties)).toEqual(['__proto__', 'constructor']);
    expect(second.properties['__proto__']).toBe('p');
  });

  it('the encoder passes values through without copying, and decoded values are views of the entry', () => {
    const values: Buffer[] = [Buffer.from('first value'), Buffer.alloc(0), Buffer.from('third')];
    const parts = encodeMessageBatch({ publishTime: 0 }, values.map((value) => ({ value })));
    expect(parts.filter((p) => values.includes(p))).toEqual([values[0], values[2]]);
    const entry = Buffer.concat(parts);
    const view = decodeMessageBatchHeader(entry);
    expect(view.payload.buffer).toBe(entry.buffer);
    const decoded = decodeMessages(view.payload, 3);
    entry[entry.length - 2 - 5 + 2] ^= 0xff; // the 'i' of "third" (value, then a 2-byte property count)
    expect(decoded[2].value.buffer).toBe(entry.buffer);
    expect(decoded[2].value.toString('latin1')).toBe('th\u0096rd');
  });

  it('the header decodes without reading any message (a corrupt message only fails decodeMessages)', () => {
    const entry = Buffer.concat(encodeMessageBatch({ producerName: 'p', firstSequenceId: 7, publishTime: 9 }, [{ value: Buffer.from('x') }]));
    const view = decodeMessageBatchHeader(entry);
    view.payload[0] = 0x80; // a reserved message flag
    expect(decodeMessageBatchHeader(entry)).toMatchObject({ producerName: 'p', firstSequenceId: 7, messageCount: 1 });
    expect(() => decodeMessages(view.payload, 1)).toThrow(MalformedBatchError);
  });

  it('a compressed batch decodes its header and hands the stored payload over as it is', () => {
    const compressed = Buffer.from('not really zstd');
    const head = encodeMessageBatchHeader({
      compression: CompressionCodec.ZSTD,
      producerName: 'z',
      firstSequenceId: 0,
      publishTime: 3,
      messageCount: 4,
      payloadLength: 1000,
    });
    const view = decodeMessageBatchHeader(Buffer.concat([head, compressed]));
    expect(view).toMatchObject({ compression: CompressionCodec.ZSTD, messageCount: 4, payloadLength: 1000 });
    expect(view.payload.equals(compressed)).toBe(true);
  });
});

function randomMessage(rng: Prng): MessageInput {
  const m: MessageInput = { value: rng.bytes(rng.int(0, 3) === 0 ? 0 : rng.int(1, 300)) };
  const keyKind = rng.int(0, 3);
  if (keyKind === 1) m.key = '';
  if (keyKind >= 2) m.key = `key-${rng.int(0, 1000)}${keyKind === 3 ? '-ü€😀' : ''}`;
  if (rng.int(0, 1) === 1) {
    const props: Record<string, string> = {};
    for (let i = rng.int(0, 5); i > 0; i--) props[`p${rng.int(0, 50)}`] = rng.int(0, 1) === 0 ? '' : `v-${rng.int(0, 1e6)}-ñ`;
    m.properties = props;
  }
  if (rng.int(0, 1) === 1) m.eventTime = rng.int(1, 2 ** 31) * 1000;
  return m;
}

function normalised(m: MessageInput): unknown {
  return { key: m.key, value: m.value, properties: m.properties ?? {}, eventTime: m.eventTime ?? 0 };
}

describe('LZ4 compressed batches', () => {
  it('round-trip through the batch format, and a truncated payload is a MalformedBatchError', () => {
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: Buffer.from('v'.repeat(500) + i), properties: { i: String(i) } }));
    const entry = Buffer.concat(encodeMessageBatch({ producerName: 'p', firstSequenceId: 3, publishTime: 9, compression: CompressionCodec.LZ4 }, messages));
    const view = decodeMessageBatchHeader(entry);
    expect(view.compression).toBe(CompressionCodec.LZ4);
    expect(view.payload.length).toBeLessThan(view.payloadLength);
    expect(payloadFormatProblem(view)).toBeUndefined();
    const decoded = decodeMessages(batchPayload(view), view.messageCount);
    expect(decoded.map((m) => m.value.toString())).toEqual(messages.map((m) => m.value.toString()));
    expect(decoded[5]!.properties.i).toBe('5');
    // (Corruption inside the frame is the bookie's CRC32C's to catch; a wrong length is caught here.)
    const truncated = entry.subarray(0, entry.length - Math.floor(view.payload.length / 2));
    expect(() => decodeMessages(batchPayload(decodeMessageBatchHeader(truncated)), 20)).toThrow(MalformedBatchError);
    const notLz4 = Buffer.concat(encodeMessageBatch({ producerName: 'p', firstSequenceId: 3, publishTime: 9 }, messages));
    notLz4.writeUInt16BE(CompressionCodec.LZ4, 6);
    expect(payloadFormatProblem(decodeMessageBatchHeader(notLz4))).toMatch(/LZ4 frame/);
  });
});
