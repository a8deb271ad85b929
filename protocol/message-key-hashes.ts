// The key hash of every message of a stored batch, for routing by key (key_shared) without decompressing: read
// from the batch's key-hash table when it carries one, else from the keys of its uncompressed payload. The same
// bounds-checked walk over the messages' framing is the broker's check that an uncompressed batch is whole
// before it is stored.
import { murmur3, keyHash } from './key-hash.js';
import { CompressionCodec, type MessageBatchView } from './message-batch.js';
import { MalformedBatchError } from './message-errors.js';

const HAS_KEY = 0x01;

/**
 * One hash per message (keyHash of its key). Undefined for a compressed batch without a key-hash table (written
 * by an encoder that predates the table): its keys cannot be known without decompressing.
 */
export function messageKeyHashes(batch: MessageBatchView): Uint32Array | undefined {
  const out = new Uint32Array(batch.messageCount);
  if (batch.keyHashTable) {
    for (let i = 0; i < out.length; i++) out[i] = batch.keyHashTable.readUInt32BE(i * 4);
    return out;
  }
  if (batch.compression !== CompressionCodec.NONE) return undefined;
  const p = batch.payload;
  walkMessages(p, out.length, (i, keyStart, keyLength) => {
    out[i] = keyLength <= 0 ? keyHash(undefined) : murmur3(p.subarray(keyStart, keyStart + keyLength));
  });
  return out;
}

/** Throws MalformedBatchError unless an uncompressed payload holds exactly `messageCount` well-framed messages. */
export function checkMessageFraming(batch: MessageBatchView): void {
  walkMessages(batch.payload, batch.messageCount);
}

/**
 * Walks the framing of `count` messages (grammar in batch-payload.ts), bounds-checked, telling `onKey` where
 * each message's key is (length −1: no key). Values and properties are skipped, not decoded.
 */
function walkMessages(p: Buffer, count: number, onKey?: (index: number, keyStart: number, keyLength: number) => void): void {
  let off = 0;
  const need = (n: number, i: number): void => {
    if (off + n > p.length) throw new MalformedBatchError(`message batch: message ${i} is truncated at payload offset ${off}`);
  };
  for (let i = 0; i < count; i++) {
    need(9, i);
    const flags = p[off]!;
    if ((flags & ~HAS_KEY) !== 0) throw new MalformedBatchError(`message batch: message ${i} has reserved flags 0x${flags.toString(16)}`);
    off += 9;
    if ((flags & HAS_KEY) !== 0) {
      need(2, i);
      const n = p.readUInt16BE(off);
      need(2 + n, i);
      onKey?.(i, off + 2, n);
      off += 2 + n;
    } else {
      onKey?.(i, off, -1);
    }
    need(4, i);
    off += 4;
    need(p.readUInt32BE(off - 4), i);
    off += p.readUInt32BE(off - 4);
    need(2, i);
    const properties = p.readUInt16BE(off);
    off += 2;
    for (let j = 0; j < 2 * properties; j++) {
      need(2, i);
      off += 2;
      need(p.readUInt16BE(off - 2), i);
      off += p.readUInt16BE(off - 2);
    }
  }
  if (off !== p.length) throw new MalformedBatchError(`message batch: ${p.length - off} trailing bytes after ${count} messages`);
}
