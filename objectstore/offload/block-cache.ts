// A byte-bounded LRU cache of offloaded-ledger blocks, shared by every reader of a process, that
// also joins concurrent loads of one block so a block is fetched once however many readers want it.
//
// Contracts: the memory the cache holds never exceeds `maxBytes` (a block larger than that is returned,
// not kept). Blocks of one ranged GET share one buffer and are kept without copies, so what is counted
// is each distinct backing buffer, in full, while any block of it is cached: the bytes really retained.
// Bytes being fetched are counted in `loadingBytes`, which readers consult before reading ahead, so
// memory stays bounded by maxBytes plus the demand fetches in flight, whatever the backlog.

export interface BlockCacheOptions {
  /** Default 64 MiB. */
  maxBytes?: number;
}

export interface BlockCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  bytes: number;
  blocks: number;
  loadingBytes: number;
}

export class BlockCache {
  readonly maxBytes: number;
  private readonly blocks = new Map<string, Buffer>();
  /** Cached blocks per backing buffer. */
  private readonly backings = new Map<ArrayBufferLike, number>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private cachedBytes = 0;
  private inFlightBytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor({ maxBytes = 64 * 1024 * 1024 }: BlockCacheOptions = {}) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    this.maxBytes = maxBytes;
  }

  /** The cached block (now the most recently used), or undefined. */
  get(key: string): Buffer | undefined {
    const block = this.blocks.get(key);
    if (block === undefined) return undefined;
    this.blocks.delete(key);
    this.blocks.set(key, block);
    return block;
  }

  /** Whether the block is cached or being loaded (no recency change). */
  has(key: string): boolean {
    return this.blocks.has(key) || this.loading.has(key);
  }

  /** The block from the cache, or the load in flight; undefined when neither (counts a hit or a miss). */
  lookup(key: string): Buffer | Promise<Buffer> | undefined {
    const cached = this.get(key) ?? this.loading.get(key);
    if (cached === undefined) this.misses++;
    else this.hits++;
    return cached;
  }

  /**
   * Loads `keys` with one `fetch` (which resolves with one buffer per key, in order, `bytes` in all)
   * and caches each block when it arrives. Returns one promise per key; a failed fetch rejects them
   * all and caches nothing.
   */
  load(keys: string[], bytes: number, fetch: () => Promise<Buffer[]>): Array<Promise<Buffer>> {
    this.inFlightBytes += bytes;
    const all = fetch().finally(() => {
      this.inFlightBytes -= bytes;
    });
    return keys.map((key, i) => {
      const one: Promise<Buffer> = all
        .then((blocks) => {
          const block = blocks[i]!;
          this.set(key, block);
          return block;
        })
        .finally(() => {
          if (this.loading.get(key) === one) this.loading.delete(key);
        });
      one.catch(() => undefined); // the caller that awaits it sees the error; prefetches may not await
      this.loading.set(key, one);
      return one;
    });
  }

  set(key: string, block: Buffer): void {
    this.remove(key);
    if (block.buffer.byteLength > this.maxBytes) return;
    this.blocks.set(key, block);
    this.retain(block);
    for (const k of this.blocks.keys()) {
      if (this.cachedBytes <= this.maxBytes) break;
      this.remove(k);
      this.evictions++;
    }
  }

  private remove(key: string): void {
    const block = this.blocks.get(key);
    if (block === undefined) return;
    this.blocks.delete(key);
    const refs = this.backings.get(block.buffer)! - 1;
    if (refs > 0) this.backings.set(block.buffer, refs);
    else {
      this.backings.delete(block.buffer);
      this.cachedBytes -= block.buffer.byteLength;
    }
  }

  private retain(block: Buffer): void {
    const refs = this.backings.get(block.buffer) ?? 0;
    if (refs === 0) this.cachedBytes += block.buffer.byteLength;
    this.backings.set(block.buffer, refs + 1);
  }

  /** Drops every block of one object (e.g. after the object was deleted). */
  dropObject(objectKey: string): void {
    const prefix = `${objectKey}#`;
    for (const k of [...this.blocks.keys()]) if (k.startsWith(prefix)) this.remove(k);
  }

  get loadingBytes(): number {
    return this.inFlightBytes;
  }

  stats(): BlockCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, bytes: this.cachedBytes, blocks: this.blocks.size, loadingBytes: this.inFlightBytes };
  }
}

export function blockKey(objectKey: string, block: number): string {
  return `${objectKey}#${block}`;
}
