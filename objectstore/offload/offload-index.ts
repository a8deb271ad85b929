// The decoded index of an offloaded ledger (layout in offload-format.ts): which blocks hold which
// entries, so a read of entries first..last fetches exactly the blocks that contain them.
import { crc32c } from '@node-rs/crc32';
import { ObjectCorruptError } from '../errors.js';
import type { ObjectStore } from '../object-store.js';
import {
  FOOTER_BYTES, HEADER_BYTES, INDEX_FIXED_BYTES, INDEX_MAGIC, INDEX_ROW_BYTES, checkMagicAndVersion, decodeFooter, readU64,
} from './offload-format.js';

export class OffloadIndex {
  /** Block numbers in which some record starts, ascending, and the first entry starting in each. */
  private readonly startBlocks: Uint32Array;
  private readonly startEntries: Float64Array;
  private readonly startOffsets: Uint32Array;
  private readonly blockCrcs: Uint32Array;

  private constructor(
    readonly where: string,
    readonly ledgerId: number,
    readonly entryCount: number,
    readonly dataLength: number,
    readonly payloadBytes: number,
    readonly blockSize: number,
    readonly blockCount: number,
    rows: Buffer,
  ) {
    this.blockCrcs = new Uint32Array(blockCount);
    const blocks: number[] = [];
    const entries: number[] = [];
    const offsets: number[] = [];
    let previous = -1;
    for (let b = 0; b < blockCount; b++) {
      const at = b * INDEX_ROW_BYTES;
      const first = readU64(rows, at, 'first entry id');
      const offset = rows.readUInt32BE(at + 8);
      this.blockCrcs[b] = rows.readUInt32BE(at + 12);
      if (first === -1) continue;
      if (first <= previous || first >= entryCount || offset >= blockSize) throw new ObjectCorruptError(`${where}: index row ${b} is inconsistent`);
      previous = first;
      blocks.push(b);
      entries.push(first);
      offsets.push(offset);
    }
    if (entryCount > 0 && (entries[0] !== 0 || blocks[0] !== 0 || offsets[0] !== 0)) throw new ObjectCorruptError(`${where}: index does not start at entry 0`);
    this.startBlocks = Uint32Array.from(blocks);
    this.startEntries = Float64Array.from(entries);
    this.startOffsets = Uint32Array.from(offsets);
  }

  /** Parses and checks an index (magic, version, checksum, sizes) read from `where`. */
  static decode(b: Buffer, where: string, expectedLedgerId?: number): OffloadIndex {
    if (b.length < INDEX_FIXED_BYTES + 4) throw new ObjectCorruptError(`${where}: index is ${b.length} bytes`);
    checkMagicAndVersion(b, 0, INDEX_MAGIC, where, 'index');
    if (b.readUInt32BE(b.length - 4) !== crc32c(b.subarray(0, b.length - 4)) >>> 0) throw new ObjectCorruptError(`${where}: index checksum mismatch`);
    const ledgerId = readU64(b, 8, 'ledger id');
    if (expectedLedgerId !== undefined && ledgerId !== expectedLedgerId) throw new ObjectCorruptError(`${where}: holds ledger ${ledgerId}, not ${expectedLedgerId}`);
    const blockSize = b.readUInt32BE(40);
    const blockCount = b.readUInt32BE(44);
    const dataLength = readU64(b, 24, 'data length');
    if (b.length !== INDEX_FIXED_BYTES + blockCount * INDEX_ROW_BYTES + 4 || blockSize === 0 || Math.ceil(dataLength / blockSize) !== blockCount) {
      throw new ObjectCorruptError(`${where}: index sizes are inconsistent`);
    }
    return new OffloadIndex(where, ledgerId, readU64(b, 16, 'entry count'), dataLength, readU64(b, 32, 'payload bytes'), blockSize, blockCount, b.subarray(INDEX_FIXED_BYTES, b.length - 4));
  }

  get lastEntryId(): number {
    return this.entryCount - 1;
  }

  /** Object offset of block `b`. */
  blockOffset(b: number): number {
    return HEADER_BYTES + b * this.blockSize;
  }

  blockLength(b: number): number {
    return Math.min(this.blockSize, this.dataLength - b * this.blockSize);
  }

  blockCrc(b: number): number {
    return this.blockCrcs[b]!;
  }

  /** The block in which entry `entryId` starts is at or after this one; where in it to start parsing. */
  startOf(entryId: number): { block: number; offset: number; entryId: number } {
    const i = this.startRowAtOrBefore(entryId);
    return { block: this.startBlocks[i]!, offset: this.startOffsets[i]!, entryId: this.startEntries[i]! };
  }

  /** The blocks holding every byte of entries first..last (at most one block more than needed). */
  blockSpan(first: number, last: number): { firstBlock: number; lastBlock: number } {
    const firstBlock = this.startOf(first).block;
    if (last + 1 >= this.entryCount) return { firstBlock, lastBlock: this.blockCount - 1 };
    const next = this.startRowAtOrBefore(last + 1);
    let lastBlock = this.startBlocks[next]!;
    // Entry last+1 opens its block: entry `last` ended in the block before.
    if (this.startEntries[next] === last + 1 && this.startOffsets[next] === 0) lastBlock--;
    return { firstBlock, lastBlock: Math.max(firstBlock, lastBlock) };
  }

  private startRowAtOrBefore(entryId: number): number {
    let lo = 0;
    let hi = this.startEntries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.startEntries[mid]! <= entryId) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Reads an object's index: with `indexOffset` known (the ledger metadata records it) index and footer
 * come in one ranged GET; without it the footer is read first. `size` is the object's size.
 */
export async function readOffloadIndex(
  store: Pick<ObjectStore, 'getRange'>,
  key: string,
  size: number,
  options: { indexOffset?: number; ledgerId?: number } = {},
): Promise<{ index: OffloadIndex; bytesFetched: number }> {
  const where = `offloaded ledger object ${JSON.stringify(key)}`;
  if (size < HEADER_BYTES + INDEX_FIXED_BYTES + 4 + FOOTER_BYTES) throw new ObjectCorruptError(`${where}: ${size} bytes is too small`);
  let bytesFetched = 0;
  let indexOffset = options.indexOffset;
  if (indexOffset === undefined) {
    const footerBytes = await store.getRange(key, size - FOOTER_BYTES, size - 1);
    bytesFetched += footerBytes.length;
    indexOffset = decodeFooter(footerBytes, where).indexOffset;
  }
  if (!Number.isInteger(indexOffset) || indexOffset < HEADER_BYTES || indexOffset > size - FOOTER_BYTES - INDEX_FIXED_BYTES - 4) {
    throw new ObjectCorruptError(`${where}: index offset ${indexOffset} is outside the object`);
  }
  const tail = await store.getRange(key, indexOffset, size - 1);
  bytesFetched += tail.length;
  if (tail.length !== size - indexOffset) throw new ObjectCorruptError(`${where}: is shorter than ${size} bytes`);
  const footer = decodeFooter(tail.subarray(tail.length - FOOTER_BYTES), where);
  if (footer.indexOffset !== indexOffset || footer.indexLength !== tail.length - FOOTER_BYTES) throw new ObjectCorruptError(`${where}: footer and index disagree`);
  const index = OffloadIndex.decode(tail.subarray(0, footer.indexLength), where, options.ledgerId);
  if (index.dataLength !== indexOffset - HEADER_BYTES) throw new ObjectCorruptError(`${where}: index and data length disagree`);
  return { index, bytesFetched };
}
