// Compression of a batch's payload (all its messages together), chosen per producer. LZ4 (frame format, pure
// JavaScript: lz4js) is implemented; zstd is a reserved codec id. The broker stores and pushes compressed batches
// as they are; whoever needs the messages (the client, the broker's HTTP receive) decompresses.
import * as lz4 from 'lz4js';
import { CompressionCodec, type CompressionCodecId } from './compression-codec.js';
import { MAX_BATCH_PAYLOAD_SIZE } from './message-batch-limits.js';
import { MalformedBatchError, UnsupportedBatchFormatError } from './message-errors.js';

/** The codecs this code can write and read. */
export const SUPPORTED_CODECS: readonly CompressionCodecId[] = [CompressionCodec.NONE, CompressionCodec.LZ4];

/** Compresses an encoded payload (given as parts) with `codec`; NONE returns the parts unchanged. */
export function compressPayload(codec: CompressionCodecId, parts: readonly Buffer[]): Buffer[] {
  if (codec === CompressionCodec.NONE) return [...parts];
  if (codec !== CompressionCodec.LZ4) throw new RangeError(`compression codec ${codec} is not implemented (supported: none, lz4)`);
  const plain = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const packed = lz4.compress(plain);
  return [Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength)];
}

const LZ4_FRAME_MAGIC = 0x184d2204;

/**
 * A cheap check that a compressed payload is in its codec's format (LZ4: the frame magic), without
 * decompressing: the broker refuses batches that fail it, so no unreadable batch is stored.
 */
export function payloadFormatProblem(batch: { compression: CompressionCodecId; payload: Buffer }): string | undefined {
  if (batch.compression === CompressionCodec.LZ4 && (batch.payload.length < 7 || batch.payload.readUInt32LE(0) !== LZ4_FRAME_MAGIC)) {
    return 'an LZ4 batch payload must be one LZ4 frame (magic 0x184D2204)';
  }
  return undefined;
}

/**
 * The uncompressed payload of a batch (the stored bytes themselves for codec NONE). A payload that does not
 * decompress to exactly `payloadLength` bytes is a MalformedBatchError; an unimplemented codec an
 * UnsupportedBatchFormatError.
 */
export function batchPayload(batch: { compression: CompressionCodecId; payload: Buffer; payloadLength: number }): Buffer {
  if (batch.compression === CompressionCodec.NONE) return batch.payload;
  if (batch.compression !== CompressionCodec.LZ4) throw new UnsupportedBatchFormatError(`compression codec ${batch.compression} is not supported by this code`);
  let plain: Uint8Array;
  try {
    plain = lz4.decompress(batch.payload, Math.min(batch.payloadLength, MAX_BATCH_PAYLOAD_SIZE));
  } catch (err) {
    throw new MalformedBatchError(`LZ4 payload does not decompress: ${(err as Error).message}`, { cause: err });
  }
  if (plain.length !== batch.payloadLength) throw new MalformedBatchError(`LZ4 payload decompresses to ${plain.length} bytes, header says ${batch.payloadLength}`);
  return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
}
