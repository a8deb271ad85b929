// The payload of a message batch: the messages, encoded back to back (grammar in message-batch.ts):
//   message = mflags:u8 eventTime:u64 [keyLen:u16 key:utf8] valueLen:u32 value
//             propertyCount:u16 (nameLen:u16 name:utf8 valueLen:u16 value:utf8) × propertyCount
// Values are never copied: the encoder passes the caller's Buffers through, the decoder returns views.
import {
  MAX_BATCH_MESSAGES,
  MAX_BATCH_PAYLOAD_SIZE,
  MAX_KEY_BYTES,
  MAX_PROPERTIES,
  MAX_PROPERTY_BYTES,
  MIN_MESSAGE_SIZE,
} from './message-batch-limits.js';
import { ByteReader } from '../common/index.js';
import { MalformedBatchError } from './message-errors.js';
import { writeU64 } from './wire-writer.js';

const HAS_KEY = 0x01;

/** A message as produced: only `value` is required. */
export interface MessageInput {
  /** Undefined = no key (distinct from the empty key ''). */
  key?: string;
  value: Buffer;
  properties?: Readonly<Record<string, string>>;
  /** ms since the epoch; 0 or undefined = none. */
  eventTime?: number;
}

/** A decoded message; `value` is a zero-copy view of the payload, `properties` a null-prototype object. */
export interface Message {
  /** Undefined = no key. */
  key?: string;
  value: Buffer;
  properties: Record<string, string>;
  /** ms since the epoch; 0 = none. */
  eventTime: number;
}

/**
 * Encodes the messages of a payload (uncompressed). Returns parts: the framing of all messages shares one
 * allocation, and each non-empty value appears as the caller's Buffer between two slices of it.
 */
export function encodeMessages(messages: readonly MessageInput[]): Buffer[] {
  const n = messages.length;
  if (n < 1 || n > MAX_BATCH_MESSAGES) throw new RangeError(`a batch holds 1 … ${MAX_BATCH_MESSAGES} messages, got ${n}`);
  const props: (readonly [string, string][])[] = new Array<readonly [string, string][]>(n);
  let framing = 0;
  let values = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    let size = MIN_MESSAGE_SIZE;
    if (m.key !== undefined) size += 2 + checkedLength(m.key, MAX_KEY_BYTES, `message ${i} key`);
    const entries = m.properties === undefined ? [] : Object.entries(m.properties);
    if (entries.length > MAX_PROPERTIES) throw new RangeError(`message ${i} has ${entries.length} properties; at most ${MAX_PROPERTIES}`);
    for (const [k, v] of entries) {
      size += 4 + checkedLength(k, MAX_PROPERTY_BYTES, `message ${i} property name`);
      size += checkedLength(v, MAX_PROPERTY_BYTES, `message ${i} property ${k}`);
    }
    props[i] = entries;
    framing += size;
    values += m.value.length;
  }
  if (framing + values > MAX_BATCH_PAYLOAD_SIZE) {
    throw new RangeError(`batch payload of ${framing + values} bytes exceeds ${MAX_BATCH_PAYLOAD_SIZE}`);
  }
  const buf = Buffer.allocUnsafe(framing);
  const parts: Buffer[] = [];
  let off = 0;
  let sliceStart = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    buf[off] = m.key === undefined ? 0 : HAS_KEY;
    writeU64(buf, off + 1, m.eventTime ?? 0, `message ${i} eventTime`);
    off += 9;
    if (m.key !== undefined) off = writeString16(buf, off, m.key);
    buf.writeUInt32BE(m.value.length, off);
    off += 4;
    if (m.value.length > 0) {
      parts.push(buf.subarray(sliceStart, off), m.value);
      sliceStart = off;
    }
    const entries = props[i];
    buf.writeUInt16BE(entries.length, off);
    off += 2;
    for (const [k, v] of entries) off = writeString16(buf, writeString16(buf, off, k), v);
  }
  parts.push(buf.subarray(sliceStart, off));
  return parts;
}

/**
 * Decodes `count` messages (the header's messageCount) from an uncompressed payload, which they must fill exactly.
 * Values are zero-copy views of `payload`: keep the entry alive (or copy) while a value is in use.
 */
export function decodeMessages(payload: Buffer, count: number): Message[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_MESSAGES) {
    throw new RangeError(`message count must be 1 … ${MAX_BATCH_MESSAGES}, got ${count}`);
  }
  const r = new PayloadReader(payload);
  const out: Message[] = [];
  for (let i = 0; i < count; i++) {
    r.message = i;
    const mflags = r.u8();
    if ((mflags & ~HAS_KEY) !== 0) r.fail(`reserved message flags 0x${mflags.toString(16)}`);
    const eventTime = r.u64('eventTime');
    const key = (mflags & HAS_KEY) !== 0 ? r.string16('key') : undefined;
    const value = r.bytes(r.u32());
    const propertyCount = r.u16();
    if (propertyCount > MAX_PROPERTIES) r.fail(`${propertyCount} properties; at most ${MAX_PROPERTIES}`);
    const properties = Object.create(null) as Record<string, string>;
    for (let j = 0; j < propertyCount; j++) {
      const name = r.string16('property name');
      if (name in properties) r.fail(`duplicate property ${JSON.stringify(name)}`);
      properties[name] = r.string16(`property ${JSON.stringify(name)}`);
    }
    out.push({ key, value, properties, eventTime });
  }
  if (r.remaining !== 0) r.fail(`${r.remaining} trailing bytes after ${count} messages`);
  return out;
}

function checkedLength(s: string, max: number, what: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > max) throw new RangeError(`${what} is ${n} UTF-8 bytes; at most ${max}`);
  return n;
}

/** Writes u16 length + UTF-8 at `off` (space already counted); returns the offset after it. */
function writeString16(buf: Buffer, off: number, s: string): number {
  const n = buf.write(s, off + 2, 'utf8');
  buf.writeUInt16BE(n, off);
  return off + 2 + n;
}

/** Bounds-checked sequential reads over a payload; every failure names the message and offset. */
class PayloadReader extends ByteReader {
  private readonly at: { message: number };

  constructor(buf: Buffer) {
    const at = { message: 0 };
    super(buf, (reason) => new MalformedBatchError(`message batch: message ${at.message}: ${reason.replace('(at offset', '(at payload offset')}`));
    this.at = at;
  }

  /** The message being read, named in errors. */
  set message(i: number) {
    this.at.message = i;
  }

  fail(reason: string): never {
    return this.error(reason);
  }
}
