// One ledger entry = one batch of messages, in the format shared by client and broker. The broker stores a client's
// batch as received (never re-encoded) and reads only its header on the produce path. All integers are big-endian.
//   entry    = magic:u32 ('STMB') version:u16 (1) flags:u16 header [keyHashes] payload
//   header   = producerLen:u16 producer:utf8 firstSequenceId:i64 publishTime:u64 messageCount:u32 payloadLength:u32
//   keyHashes= u32 × messageCount, present when flag KEY_HASHES is set: murmur3 of each message's key
//              ('' for a message without one), so a broker can route a compressed batch by key without
//              decompressing it; encoders write it for every compressed batch
//   payload  = the rest of the entry: message × messageCount, compressed as a whole by the codec in flags;
//              payloadLength is its size before compression (with codec 0, exactly the rest of the entry)
//   flags    = bits 0–2 compression codec: 0 none, 1 lz4, 2 zstd (3–7 unknown); bit 3 KEY_HASHES;
//              bits 4–15 reserved, 0
//   message  = mflags:u8 eventTime:u64 [keyLen:u16 key:utf8] valueLen:u32 value
//              propertyCount:u16 (nameLen:u16 name:utf8 valueLen:u16 value:utf8) × propertyCount
//   mflags   = bit 0 HAS_KEY (keyLen and key are present); bits 1–7 reserved, 0
// producer is empty for an anonymous producer. firstSequenceId is −1 (none) or the sequence id of message 0, and
// message i then has sequence id firstSequenceId + i. publishTime and eventTime are ms since the epoch (eventTime
// 0 = none). An unknown version, codec or flag is UnsupportedBatchFormatError; any other deviation from the
// grammar or the limits (truncation, trailing bytes, invalid UTF-8, duplicate property names) is
// MalformedBatchError. Encoders reject what the format cannot carry with RangeError (a caller bug). Limits are in
// message-batch-limits.ts; the payload's messages are encoded and decoded by batch-payload.ts.
import { isUtf8 } from 'node:buffer';
import { encodeMessages, type MessageInput } from './batch-payload.js';
import { compressPayload } from './batch-compression.js';
import { CompressionCodec, type CompressionCodecId } from './compression-codec.js';
import { MAX_ENTRY_SIZE } from './frame.js';
import {
  MAX_BATCH_MESSAGES,
  MAX_BATCH_PAYLOAD_SIZE,
  MAX_PRODUCER_NAME_BYTES,
  MIN_MESSAGE_SIZE,
} from './message-batch-limits.js';
import { MalformedBatchError, UnsupportedBatchFormatError } from './message-errors.js';
import { writeLac, writeU64 } from './wire-writer.js';
import { keyHash } from './key-hash.js';

export const MESSAGE_BATCH_MAGIC = 0x53544d42; // 'STMB'
export const MESSAGE_BATCH_VERSION = 1;

export { CompressionCodec, type CompressionCodecId } from './compression-codec.js';

const CODEC_MASK = 0x0007;
/** Flag: a key hash per message follows the header. */
export const KEY_HASHES_FLAG = 0x0008;
const PREFIX_SIZE = 4 + 2 + 2 + 2; // magic, version, flags, producerLen
const FIXED_AFTER_NAME = 8 + 8 + 4 + 4;
const TWO_POW_32 = 0x1_0000_0000;
const MAX_SAFE_HIGH = 0x1f_ffff;

/** What a producer states about a batch; message count and payload length follow from the messages. */
export interface MessageBatchInit {
  /** '' or undefined for an anonymous producer. */
  producerName?: string;
  /** −1 or undefined = no sequence ids. */
  firstSequenceId?: number;
  publishTime: number;
  /** Codec of the payload; default NONE. */
  compression?: CompressionCodecId;
}

export interface MessageBatchHeader {
  compression: CompressionCodecId;
  producerName: string;
  /** −1 = none; message i has sequence id firstSequenceId + i. */
  firstSequenceId: number;
  publishTime: number;
  messageCount: number;
  /** Size of the payload before compression. */
  payloadLength: number;
  /** True when a key hash per message follows the header. */
  keyHashes?: boolean;
}

/** A decoded header and the payload as stored (still compressed unless `compression` is NONE). */
export interface MessageBatchView extends MessageBatchHeader {
  /** Zero-copy view of the entry after the header (and the key hashes). */
  payload: Buffer;
  /** Zero-copy view of the key hashes (u32 big-endian per message), when the batch carries them. */
  keyHashTable: Buffer | undefined;
}

/**
 * Encodes a batch as parts to write in order (frame them or writev them as they are): the header, then the
 * messages — uncompressed, each value passed through as the caller's Buffer, never copied — or their compressed form.
 */
export function encodeMessageBatch(init: MessageBatchInit, messages: readonly MessageInput[]): Buffer[] {
  const plain = encodeMessages(messages);
  let payloadLength = 0;
  for (const part of plain) payloadLength += part.length;
  const compression = init.compression ?? CompressionCodec.NONE;
  const payload = compressPayload(compression, plain);
  const hashes = compression === CompressionCodec.NONE ? [] : [encodeKeyHashes(messages)];
  let storedLength = 0;
  for (const part of [...hashes, ...payload]) storedLength += part.length;
  const head = encodeMessageBatchHeader({
    compression,
    producerName: init.producerName ?? '',
    firstSequenceId: init.firstSequenceId ?? -1,
    publishTime: init.publishTime,
    messageCount: messages.length,
    payloadLength,
    keyHashes: hashes.length > 0,
  });
  if (head.length + storedLength > MAX_ENTRY_SIZE) {
    throw new RangeError(`batch of ${head.length + storedLength} bytes exceeds the entry maximum of ${MAX_ENTRY_SIZE}`);
  }
  return [head, ...hashes, ...payload];
}

function encodeKeyHashes(messages: readonly MessageInput[]): Buffer {
  const out = Buffer.allocUnsafe(messages.length * 4);
  for (let i = 0; i < messages.length; i++) out.writeUInt32BE(keyHash(messages[i]!.key), i * 4);
  return out;
}

/** The header bytes (magic through payloadLength); a compressing encoder appends its compressed payload. */
export function encodeMessageBatchHeader(header: MessageBatchHeader): Buffer {
  const problem = headerProblem(header, Buffer.byteLength(header.producerName, 'utf8'));
  if (problem !== undefined) throw new RangeError(`message batch header: ${problem}`);
  const name = Buffer.from(header.producerName, 'utf8');
  const buf = Buffer.allocUnsafe(PREFIX_SIZE + name.length + FIXED_AFTER_NAME);
  buf.writeUInt32BE(MESSAGE_BATCH_MAGIC, 0);
  buf.writeUInt16BE(MESSAGE_BATCH_VERSION, 4);
  buf.writeUInt16BE(header.compression | (header.keyHashes ? KEY_HASHES_FLAG : 0), 6);
  buf.writeUInt16BE(name.length, 8);
  name.copy(buf, PREFIX_SIZE);
  const off = PREFIX_SIZE + name.length;
  writeLac(buf, off, header.firstSequenceId, 'firstSequenceId');
  writeU64(buf, off + 8, header.publishTime, 'publishTime');
  buf.writeUInt32BE(header.messageCount, off + 16);
  buf.writeUInt32BE(header.payloadLength, off + 20);
  return buf;
}

/**
 * Decodes the header and checks it against the entry (cheap: no message is decoded). With codec NONE the payload
 * length must match exactly; a compressed payload is checked after decompression, by decodeMessages.
 */
export function decodeMessageBatchHeader(entry: Buffer): MessageBatchView {
  if (entry.length < 8) malformed(`truncated: ${entry.length} bytes`);
  const magic = entry.readUInt32BE(0);
  if (magic !== MESSAGE_BATCH_MAGIC) malformed(`not a message batch (magic 0x${magic.toString(16).padStart(8, '0')})`);
  const version = entry.readUInt16BE(4);
  if (version !== MESSAGE_BATCH_VERSION) {
    throw new UnsupportedBatchFormatError(`message batch version ${version} is not supported (this code reads ${MESSAGE_BATCH_VERSION})`);
  }
  const flags = entry.readUInt16BE(6);
  const compression = flags & CODEC_MASK;
  if ((flags & ~(CODEC_MASK | KEY_HASHES_FLAG)) !== 0 || compression > CompressionCodec.ZSTD) {
    throw new UnsupportedBatchFormatError(`message batch flags 0x${flags.toString(16)} name an unknown codec or flag`);
  }
  if (entry.length < PREFIX_SIZE) malformed(`truncated: ${entry.length} bytes`);
  const nameLength = entry.readUInt16BE(8);
  const fixedEnd = PREFIX_SIZE + nameLength + FIXED_AFTER_NAME;
  if (entry.length < fixedEnd) malformed(`truncated header: ${entry.length} bytes, need ${fixedEnd}`);
  const nameBytes = entry.subarray(PREFIX_SIZE, PREFIX_SIZE + nameLength);
  if (!isUtf8(nameBytes)) malformed('producer name is not valid UTF-8');
  let off = PREFIX_SIZE + nameLength;
  const header: MessageBatchHeader = {
    compression: compression as CompressionCodecId,
    producerName: nameBytes.toString('utf8'),
    firstSequenceId: readI64OrNone(entry, off, 'firstSequenceId'),
    publishTime: readU64(entry, off + 8, 'publishTime'),
    messageCount: entry.readUInt32BE(off + 16),
    payloadLength: entry.readUInt32BE(off + 20),
    keyHashes: (flags & KEY_HASHES_FLAG) !== 0,
  };
  off += FIXED_AFTER_NAME;
  const problem = headerProblem(header, nameLength);
  if (problem !== undefined) malformed(problem);
  let keyHashTable: Buffer | undefined;
  if (header.keyHashes) {
    const end = off + header.messageCount * 4;
    if (entry.length < end) malformed(`truncated key hashes: ${entry.length} bytes, need ${end}`);
    keyHashTable = entry.subarray(off, end);
    off = end;
  }
  const payload = entry.subarray(off);
  if (compression === CompressionCodec.NONE ? payload.length !== header.payloadLength : payload.length === 0) {
    malformed(`payload is ${payload.length} bytes, header says ${header.payloadLength} (codec ${compression})`);
  }
  return { ...header, payload, keyHashTable };
}

/** The header rules shared by encoder and decoder: undefined when valid, else the reason. */
function headerProblem(h: MessageBatchHeader, nameBytes: number): string | undefined {
  if (nameBytes > MAX_PRODUCER_NAME_BYTES) return `producer name of ${nameBytes} bytes exceeds ${MAX_PRODUCER_NAME_BYTES}`;
  if (!Number.isInteger(h.compression) || h.compression < 0 || h.compression > CompressionCodec.ZSTD) {
    return `unknown compression codec ${h.compression}`;
  }
  if (!Number.isInteger(h.messageCount) || h.messageCount < 1 || h.messageCount > MAX_BATCH_MESSAGES) {
    return `message count ${h.messageCount} is outside 1 … ${MAX_BATCH_MESSAGES}`;
  }
  const seq = h.firstSequenceId;
  if (seq !== -1 && (!Number.isSafeInteger(seq) || seq < 0 || seq > Number.MAX_SAFE_INTEGER - (h.messageCount - 1))) {
    return `firstSequenceId ${seq} is neither -1 nor such that every message's sequence id is in [0, 2^53-1]`;
  }
  if (!Number.isSafeInteger(h.publishTime) || h.publishTime < 0) return `publishTime ${h.publishTime} is not a safe integer ≥ 0`;
  const minLength = h.messageCount * MIN_MESSAGE_SIZE;
  if (!Number.isInteger(h.payloadLength) || h.payloadLength < minLength || h.payloadLength > MAX_BATCH_PAYLOAD_SIZE) {
    return `payload length ${h.payloadLength} is outside ${minLength} … ${MAX_BATCH_PAYLOAD_SIZE} for ${h.messageCount} messages`;
  }
  return undefined;
}

function readU64(buf: Buffer, off: number, field: string): number {
  const hi = buf.readUInt32BE(off);
  if (hi > MAX_SAFE_HIGH) malformed(`${field} exceeds 2^53-1`);
  return hi * TWO_POW_32 + buf.readUInt32BE(off + 4);
}

function readI64OrNone(buf: Buffer, off: number, field: string): number {
  if (buf.readUInt32BE(off) === 0xffffffff && buf.readUInt32BE(off + 4) === 0xffffffff) return -1;
  return readU64(buf, off, field);
}

function malformed(reason: string): never {
  throw new MalformedBatchError(`message batch: ${reason}`);
}
