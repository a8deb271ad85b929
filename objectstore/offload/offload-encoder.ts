// Streams a ledger's entries into the offload object format (offload-format.ts) holding one block in
// memory, and computes the object's size, checksum and index on the way.
import { crc32c } from '@node-rs/crc32';
import {
  HEADER_BYTES, INDEX_FIXED_BYTES, INDEX_MAGIC, INDEX_ROW_BYTES, OFFLOAD_FORMAT_VERSION, checkBlockSize,
  encodeFooter, encodeHeader, encodeRecordHeader, formatChecksum, writeU64, type LedgerEntryData,
} from './offload-format.js';
import { OffloadMismatchError } from './offload-errors.js';

export interface OffloadSummary {
  ledgerId: number;
  /** Object bytes. */
  size: number;
  /** "crc32c:…" of the whole object. */
  checksum: string;
  indexOffset: number;
  blockSize: number;
  blockCount: number;
  entryCount: number;
  payloadBytes: number;
}

export interface OffloadEncoderOptions {
  ledgerId: number;
  blockSize: number;
  /** The ledger's entries are 0..lastEntryId; anything else is refused. */
  lastEntryId: number;
  /**
   * The checksum an earlier pass computed: the stream fails before its last chunk if the bytes differ,
   * so an upload fed by it is aborted and never completes with other bytes than those checksummed.
   */
  expectedChecksum?: string;
}

export class OffloadEncoder {
  private crc = 0;
  private size = 0;
  private block: Buffer;
  private blockFill = 0;
  private blockHasStart = false;
  private rows = Buffer.alloc(INDEX_ROW_BYTES * 64);
  private blockCount = 0;
  private nextEntryId = 0;
  private payloadBytes = 0;
  private finished: OffloadSummary | undefined;

  constructor(private readonly options: OffloadEncoderOptions) {
    checkBlockSize(options.blockSize);
    this.block = Buffer.allocUnsafe(options.blockSize);
  }

  /** What the encoded object is; available once `encode` has yielded its last chunk. */
  get summary(): OffloadSummary {
    if (!this.finished) throw new Error('the offload encoder has not finished');
    return this.finished;
  }

  /**
   * Yields the object's bytes in chunks (the header, whole blocks, the last block, then index +
   * footer). Each chunk is a fresh buffer the consumer may keep. Fails if entries are missing, out
   * of order, or beyond lastEntryId, or (with expectedChecksum) if the bytes differ from that pass.
   */
  async *encode(batches: AsyncIterable<LedgerEntryData[]>): AsyncGenerator<Buffer> {
    const { ledgerId, blockSize, lastEntryId } = this.options;
    yield this.emit(encodeHeader({ ledgerId, blockSize }));
    for await (const batch of batches) {
      for (const entry of batch) {
        if (entry.entryId !== this.nextEntryId || entry.entryId > lastEntryId) {
          throw new OffloadMismatchError(`ledger ${ledgerId}: got entry ${entry.entryId} where ${this.nextEntryId} (of 0..${lastEntryId}) was due`);
        }
        if (!this.blockHasStart) this.startRow(entry.entryId);
        this.nextEntryId++;
        this.payloadBytes += entry.payload.length;
        yield* this.append(encodeRecordHeader(entry.entryId, entry.crc, entry.payload.length));
        yield* this.append(entry.payload);
      }
    }
    if (this.nextEntryId !== lastEntryId + 1) {
      throw new OffloadMismatchError(`ledger ${ledgerId}: read ${this.nextEntryId} entries, its metadata says ${lastEntryId + 1}`);
    }
    if (this.blockFill > 0) yield this.emit(this.finishBlock());
    const dataLength = this.size - HEADER_BYTES;
    const indexOffset = this.size;
    const index = this.encodeIndex(dataLength);
    const tail = Buffer.concat([index, encodeFooter({ indexOffset, indexLength: index.length })]);
    const crc = crc32c(tail, this.crc) >>> 0;
    const summary: OffloadSummary = {
      ledgerId, size: this.size + tail.length, checksum: formatChecksum(crc), indexOffset, blockSize, blockCount: this.blockCount,
      entryCount: this.nextEntryId, payloadBytes: this.payloadBytes,
    };
    if (this.options.expectedChecksum !== undefined && summary.checksum !== this.options.expectedChecksum) {
      throw new OffloadMismatchError(`ledger ${ledgerId}: read back as ${summary.checksum}, an earlier pass read ${this.options.expectedChecksum}`);
    }
    this.finished = summary;
    yield this.emit(tail);
  }

  private emit(chunk: Buffer): Buffer {
    this.crc = crc32c(chunk, this.crc) >>> 0;
    this.size += chunk.length;
    return chunk;
  }

  /** Copies `bytes` into blocks, yielding each block as it fills. */
  private *append(bytes: Buffer): Generator<Buffer> {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.block.length - this.blockFill);
      bytes.copy(this.block, this.blockFill, from, from + n);
      this.blockFill += n;
      from += n;
      if (this.blockFill === this.block.length) yield this.emit(this.finishBlock());
    }
  }

  /** Records that the next record starts in the current block, at its current fill. */
  private startRow(entryId: number): void {
    const at = this.blockCount * INDEX_ROW_BYTES;
    this.ensureRow();
    writeU64(this.rows, at, entryId);
    this.rows.writeUInt32BE(this.blockFill, at + 8);
    this.blockHasStart = true;
  }

  private ensureRow(): void {
    const needed = (this.blockCount + 1) * INDEX_ROW_BYTES;
    if (needed <= this.rows.length) return;
    const grown = Buffer.alloc(this.rows.length * 2);
    this.rows.copy(grown);
    this.rows = grown;
  }

  private finishBlock(): Buffer {
    const done = this.blockFill === this.block.length ? this.block : this.block.subarray(0, this.blockFill);
    const at = this.blockCount * INDEX_ROW_BYTES;
    this.ensureRow();
    if (!this.blockHasStart) {
      writeU64(this.rows, at, -1);
      this.rows.writeUInt32BE(0, at + 8);
    }
    this.rows.writeUInt32BE(crc32c(done) >>> 0, at + 12);
    this.blockCount++;
    this.block = Buffer.allocUnsafe(this.options.blockSize);
    this.blockFill = 0;
    this.blockHasStart = false;
    return done;
  }

  private encodeIndex(dataLength: number): Buffer {
    const rowsLength = this.blockCount * INDEX_ROW_BYTES;
    const b = Buffer.alloc(INDEX_FIXED_BYTES + rowsLength + 4);
    b.writeUInt32BE(INDEX_MAGIC, 0);
    b.writeUInt16BE(OFFLOAD_FORMAT_VERSION, 4);
    writeU64(b, 8, this.options.ledgerId);
    writeU64(b, 16, this.nextEntryId);
    writeU64(b, 24, dataLength);
    writeU64(b, 32, this.payloadBytes);
    b.writeUInt32BE(this.options.blockSize, 40);
    b.writeUInt32BE(this.blockCount, 44);
    this.rows.copy(b, INDEX_FIXED_BYTES, 0, rowsLength);
    b.writeUInt32BE(crc32c(b.subarray(0, b.length - 4)) >>> 0, b.length - 4);
    return b;
  }
}
