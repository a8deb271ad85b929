// Reads an offloaded ledger from its object with the same shape as the ledger client's LedgerReader:
// ranged GETs of only the blocks that hold the entries asked for, through a shared byte-bounded block
// cache, with read-ahead once reads are sequential (a consumer catching up).
//
// Contracts: a read fetches the index once (at open) and then only blocks that contain requested
// entries (at most one block more than needed); every fetched block is checked against its CRC32C in
// the index before use; read-ahead never makes the cache's loading bytes exceed half its capacity.
import { EntryOutOfRangeError, type LedgerMetadata } from '../../ledger/index.js';
import { ObjectCorruptError } from '../errors.js';
import type { ObjectStore } from '../object-store.js';
import { withRetries, type RetryOptions } from '../with-retries.js';
import { crc32c } from '@node-rs/crc32';
import { BlockCache, blockKey } from './block-cache.js';
import { BlockCursor } from './block-cursor.js';
import { RECORD_HEADER_BYTES, readU64, type LedgerEntryData } from './offload-format.js';
import { readOffloadIndex, type OffloadIndex } from './offload-index.js';
import { LedgerNotOffloadedError } from './offload-errors.js';

export interface OffloadLocation {
  objectKey: string;
  size: number;
  /** From the ledger metadata; saves one request at open. */
  indexOffset?: number;
  ledgerId?: number;
}

export interface OffloadedLedgerReaderOptions {
  /** Shared by the readers of a process; default a private 16 MiB cache. */
  cache?: BlockCache;
  /** How far ahead sequential reads prefetch (default 16 MiB; 0 disables). Capped at a quarter of the cache. */
  readAheadBytes?: number;
  /** Largest single ranged GET (default 4 MiB): read-ahead keeps readAheadBytes / maxFetchBytes GETs in flight. */
  maxFetchBytes?: number;
  /** Retries of a failed GET (default 3 attempts, 100 ms–2 s backoff with jitter). */
  retry?: RetryOptions;
  /** Told of every byte fetched from the store (e.g. a metrics counter). */
  onBytesFetched?: (bytes: number) => void;
}

export class OffloadedLedgerReader {
  private fetched = 0;
  private expectedNext = -1;
  private readonly cache: BlockCache;
  private readonly readAheadBlocks: number;
  private readonly maxFetchBlocks: number;
  private readonly retry: RetryOptions;

  private constructor(
    private readonly store: ObjectStore,
    readonly objectKey: string,
    private readonly index: OffloadIndex,
    indexBytes: number,
    private readonly options: OffloadedLedgerReaderOptions,
  ) {
    this.cache = options.cache ?? new BlockCache({ maxBytes: 16 * 1024 * 1024 });
    const readAhead = Math.min(options.readAheadBytes ?? 16 * 1024 * 1024, Math.floor(this.cache.maxBytes / 4));
    this.readAheadBlocks = Math.floor(readAhead / index.blockSize);
    this.maxFetchBlocks = Math.max(1, Math.floor((options.maxFetchBytes ?? 4 * 1024 * 1024) / index.blockSize));
    this.retry = options.retry ?? { attempts: 3, backoff: { initialMs: 100, maxMs: 2000 } };
    this.count(indexBytes);
  }

  /** Opens the object at `location` (reads its index: one ranged GET when indexOffset is known). */
  static async open(store: ObjectStore, location: OffloadLocation, options: OffloadedLedgerReaderOptions = {}): Promise<OffloadedLedgerReader> {
    const retry = options.retry ?? { attempts: 3, backoff: { initialMs: 100, maxMs: 2000 } };
    const { index, bytesFetched } = await withRetries(
      () => readOffloadIndex(store, location.objectKey, location.size, { indexOffset: location.indexOffset, ledgerId: location.ledgerId }),
      retry,
    );
    return new OffloadedLedgerReader(store, location.objectKey, index, bytesFetched, options);
  }

  /** Opens the object recorded in an offloaded ledger's metadata. */
  static openLedger(store: ObjectStore, metadata: LedgerMetadata, options: OffloadedLedgerReaderOptions = {}): Promise<OffloadedLedgerReader> {
    const o = metadata.offload;
    if (!o) throw new LedgerNotOffloadedError(`ledger ${metadata.id} is not offloaded`);
    return OffloadedLedgerReader.open(store, { objectKey: o.objectKey, size: o.size, indexOffset: o.indexOffset, ledgerId: metadata.id }, options);
  }

  get ledgerId(): number {
    return this.index.ledgerId;
  }

  /** The last entry (an offloaded ledger is closed). */
  get lastReadable(): number {
    return this.index.lastEntryId;
  }

  /** Bytes this reader fetched from the store (index and blocks; cache hits cost nothing). */
  get bytesFetched(): number {
    return this.fetched;
  }

  /** Entries first..last in order, byte-identical to what the bookies stored. */
  async read(first: number, last: number): Promise<LedgerEntryData[]> {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last < first) throw new EntryOutOfRangeError(`bad range ${first}..${last}`);
    if (last > this.lastReadable) throw new EntryOutOfRangeError(`ledger ${this.ledgerId}: entry ${last} is past the last entry ${this.lastReadable}`);
    const { firstBlock, lastBlock } = this.index.blockSpan(first, last);
    const sequential = first === this.expectedNext;
    this.expectedNext = last + 1;
    const blocks = await this.blocks(firstBlock, lastBlock);
    if (sequential) this.readAhead(lastBlock + 1);
    return this.parse(blocks, first, last);
  }

  private parse(blocks: Buffer[], first: number, last: number): LedgerEntryData[] {
    const start = this.index.startOf(first);
    const cursor = new BlockCursor(blocks, start.offset);
    const out: LedgerEntryData[] = [];
    for (let expected = start.entryId; expected <= last; expected++) {
      const head = cursor.take(RECORD_HEADER_BYTES);
      const entryId = readU64(head, 0, 'entry id');
      if (entryId !== expected) throw new ObjectCorruptError(`${this.index.where}: found entry ${entryId} where ${expected} was due`);
      const length = head.readUInt32BE(12);
      if (entryId < first) {
        cursor.skip(length);
        continue;
      }
      out.push({ entryId, crc: head.readUInt32BE(8), payload: cursor.take(length) });
    }
    return out;
  }

  /** Blocks first..last, from the cache, from loads in flight, or fetched in runs of consecutive misses. */
  private async blocks(first: number, last: number): Promise<Buffer[]> {
    const pending: Array<Buffer | Promise<Buffer>> = [];
    for (let b = first; b <= last; ) {
      const found = this.cache.lookup(blockKey(this.objectKey, b));
      if (found !== undefined) {
        pending.push(found);
        b++;
        continue;
      }
      let end = b;
      while (end < last && end - b + 1 < this.maxFetchBlocks && !this.cache.has(blockKey(this.objectKey, end + 1))) end++;
      pending.push(...this.load(b, end));
      b = end + 1;
    }
    return Promise.all(pending);
  }

  /**
   * Keeps the readAheadBlocks blocks from `from` cached or loading, fetching each gap in GETs of
   * maxFetchBlocks: a gap shorter than that waits for the window to slide (unless it reaches the end
   * of the object), so a sequential reader keeps several full-size GETs in flight, never many small ones.
   */
  private readAhead(from: number): void {
    const until = Math.min(this.index.blockCount - 1, from + this.readAheadBlocks - 1);
    for (let b = from; b <= until; ) {
      if (this.cache.has(blockKey(this.objectKey, b))) {
        b++;
        continue;
      }
      let end = b;
      while (end < until && end - b + 1 < this.maxFetchBlocks && !this.cache.has(blockKey(this.objectKey, end + 1))) end++;
      const full = end - b + 1 >= this.maxFetchBlocks || end === this.index.blockCount - 1;
      if (!full || this.cache.loadingBytes + this.runBytes(b, end) > this.cache.maxBytes / 2) return;
      // Nobody waits for a read-ahead: a failed one is simply fetched again on demand.
      for (const p of this.load(b, end)) p.catch(() => undefined);
      b = end + 1;
    }
  }

  private runBytes(first: number, last: number): number {
    return this.index.blockOffset(last) + this.index.blockLength(last) - this.index.blockOffset(first);
  }

  private load(first: number, last: number): Array<Promise<Buffer>> {
    const keys: string[] = [];
    for (let b = first; b <= last; b++) keys.push(blockKey(this.objectKey, b));
    return this.cache.load(keys, this.runBytes(first, last), () => this.fetch(first, last));
  }

  /** One ranged GET of blocks first..last, split into blocks, each checked against its CRC. */
  private async fetch(first: number, last: number): Promise<Buffer[]> {
    const start = this.index.blockOffset(first);
    const length = this.runBytes(first, last);
    const bytes = await withRetries(() => this.store.getRange(this.objectKey, start, start + length - 1), this.retry);
    this.count(bytes.length);
    if (bytes.length !== length) throw new ObjectCorruptError(`${this.index.where}: blocks ${first}..${last} read as ${bytes.length} of ${length} bytes`);
    const out: Buffer[] = [];
    for (let b = first, at = 0; b <= last; b++) {
      const n = this.index.blockLength(b);
      const sub = bytes.subarray(at, at + n);
      at += n;
      if (crc32c(sub) >>> 0 !== this.index.blockCrc(b)) throw new ObjectCorruptError(`${this.index.where}: block ${b} checksum mismatch`);
      // No copy: the cache counts the shared buffer of the whole GET (block-cache.ts).
      out.push(sub);
    }
    return out;
  }

  private count(bytes: number): void {
    this.fetched += bytes;
    this.options.onBytesFetched?.(bytes);
  }
}
