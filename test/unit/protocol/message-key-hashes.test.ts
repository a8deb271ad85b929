// Key hashes of a batch's messages: carried in the header's table by compressed batches, read from the payload of
// uncompressed ones, equal either way; a payload whose messages do not fill it is refused.
import { describe, expect, it } from 'vitest';
import {
  checkMessageFraming,
  CompressionCodec,
  decodeMessageBatchHeader,
  encodeMessageBatch,
  keyHash,
  MalformedBatchError,
  messageKeyHashes,
  murmur3,
} from '../../../protocol/index.js';

const messages = [{ key: 'alpha', value: Buffer.from('1') }, { value: Buffer.from('2') }, { key: '', value: Buffer.from('3'), properties: { a: 'b' } }, { key: 'ключ', value: Buffer.alloc(300, 7) }];

describe('message key hashes', () => {
  it('are the same from the table of a compressed batch and from the payload of an uncompressed one', () => {
    const packed = decodeMessageBatchHeader(Buffer.concat(encodeMessageBatch({ publishTime: 1, compression: CompressionCodec.LZ4 }, messages)));
    const plain = decodeMessageBatchHeader(Buffer.concat(encodeMessageBatch({ publishTime: 1 }, messages)));
    expect(packed.keyHashTable?.length).toBe(16);
    expect(plain.keyHashTable).toBeUndefined();
    const expected = [murmur3(Buffer.from('alpha')), keyHash(undefined), keyHash(undefined), murmur3(Buffer.from('ключ', 'utf8'))];
    expect([...messageKeyHashes(packed)!]).toEqual(expected);
    expect([...messageKeyHashes(plain)!]).toEqual(expected);
  });

  it('refuse an uncompressed payload with a truncated message or trailing bytes (also when only checking the framing)', () => {
    const entry = Buffer.concat(encodeMessageBatch({ publishTime: 1 }, messages));
    const view = decodeMessageBatchHeader(entry);
    expect(() => messageKeyHashes({ ...view, payload: view.payload.subarray(0, view.payload.length - 1) })).toThrow(MalformedBatchError);
    expect(() => messageKeyHashes({ ...view, payload: Buffer.concat([view.payload, Buffer.from([0])]) })).toThrow(MalformedBatchError);
    // the broker's check before storing walks the same framing
    expect(() => checkMessageFraming(view)).not.toThrow();
    expect(() => checkMessageFraming({ ...view, payload: view.payload.subarray(0, view.payload.length - 1) })).toThrow(MalformedBatchError);
    expect(() => checkMessageFraming({ ...view, payload: Buffer.concat([view.payload, Buffer.from([0])]) })).toThrow(/trailing bytes/);
  });

  it('a compressed batch whose table is cut short is malformed', () => {
    const entry = Buffer.concat(encodeMessageBatch({ publishTime: 1, compression: CompressionCodec.LZ4 }, messages));
    const headerEnd = entry.length - decodeMessageBatchHeader(entry).payload.length - 16;
    expect(() => decodeMessageBatchHeader(entry.subarray(0, headerEnd + 10))).toThrow(MalformedBatchError);
  });
});
