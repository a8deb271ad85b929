// The reader of offloaded ledgers over an in-memory store: a one-entry read fetches a bounded number
// of bytes, sequential reads go ahead in large ranged GETs, the shared cache stays within its bytes.
import { describe, expect, it } from 'vitest';
import { EntryOutOfRangeError } from '../../../ledger/index.js';
import { BlockCache, OffloadedLedgerReader } from '../../../objectstore/index.js';
import { CountingObjectStore, MemoryObjectStore } from '../../helpers/counting-object-store.js';
import { encodeAll, entriesOf } from '../../helpers/offload-fixtures.js';

const BLOCK = 4096;
const ENTRY = 1000;
const COUNT = 2000; // ~2 MiB in ~500 blocks

async function fixture() {
  const entries = entriesOf(7, Array.from({ length: COUNT }, (_, i) => ENTRY + (i % 50)));
  const { bytes, summary } = await encodeAll(entries);
  const memory = new MemoryObjectStore();
  await memory.put('o', bytes);
  const store = new CountingObjectStore(memory);
  const location = { objectKey: 'o', size: bytes.length, indexOffset: summary.indexOffset, ledgerId: 7 };
  const indexBytes = bytes.length - summary.indexOffset;
  return { entries, bytes, summary, store, location, indexBytes };
}

describe('OffloadedLedgerReader', () => {
  it('a one-entry read fetches the index and at most two blocks, never the whole object', async () => {
    const { store, location, indexBytes, entries, bytes } = await fixture();
    const reader = await OffloadedLedgerReader.open(store, location, { cache: new BlockCache() });
    expect(store.counts.rangeGets).toBe(1);
    const [one] = await reader.read(1234, 1234);
    expect(one!.payload.equals(entries[1234]!.payload)).toBe(true);
    expect(store.counts.gets).toBe(0);
    expect(store.counts.bytesRead).toBeLessThanOrEqual(indexBytes + 2 * BLOCK);
    expect(reader.bytesFetched).toBe(store.counts.bytesRead);
    expect(store.counts.bytesRead).toBeLessThan(bytes.length / 50);
  });

  it('a sequential catch-up reads ahead in large GETs and fetches each byte once', async () => {
    const { store, location, indexBytes, entries, bytes } = await fixture();
    const cache = new BlockCache({ maxBytes: 1024 * 1024 });
    const reader = await OffloadedLedgerReader.open(store, location, { cache, readAheadBytes: 128 * 1024, maxFetchBytes: 64 * 1024 });
    let reads = 0;
    for (let first = 0; first < COUNT; first += 10) {
      const got = await reader.read(first, Math.min(COUNT - 1, first + 9));
      reads++;
      for (const e of got) expect(e.payload.equals(entries[e.entryId]!.payload)).toBe(true);
      expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes);
    }
    expect(store.counts.bytesRead).toBeLessThanOrEqual(bytes.length - 32 + indexBytes);
    // ~500 blocks in GETs of 8 to 16 blocks: far fewer requests than reads (200 reads of ~2.5 blocks).
    expect(store.counts.rangeGets).toBeLessThan(reads / 3);
    expect(store.counts.bytesRead / store.counts.rangeGets).toBeGreaterThan(8 * BLOCK);
    expect(cache.stats().hits).toBeGreaterThan(0);
  });

  it('memory stays within the cache bound when the backlog is many times larger', async () => {
    const { store, location } = await fixture();
    const cache = new BlockCache({ maxBytes: 64 * 1024 });
    const reader = await OffloadedLedgerReader.open(store, location, { cache, readAheadBytes: 1024 * 1024 });
    for (let first = 0; first < COUNT; first += 25) {
      await reader.read(first, first + 24);
      const s = cache.stats();
      expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
      // Read-ahead is capped at a quarter of the cache, and loads in flight at half.
      expect(s.loadingBytes).toBeLessThanOrEqual(32 * 1024 + 8 * BLOCK);
    }
  });

  it('readers share the cache: a second reader of the same object fetches only its index', async () => {
    const { store, location, indexBytes } = await fixture();
    const cache = new BlockCache();
    const a = await OffloadedLedgerReader.open(store, location, { cache });
    await a.read(0, COUNT - 1);
    const b = await OffloadedLedgerReader.open(store, location, { cache });
    expect((await b.read(0, COUNT - 1)).length).toBe(COUNT);
    expect(b.bytesFetched).toBe(indexBytes);
  });

  it('concurrent reads of the same blocks fetch them once', async () => {
    const { store, location, indexBytes } = await fixture();
    const reader = await OffloadedLedgerReader.open(store, location, { cache: new BlockCache(), readAheadBytes: 0 });
    store.reset();
    await Promise.all(Array.from({ length: 8 }, () => reader.read(500, 520)));
    expect(store.counts.rangeGets).toBe(1);
    expect(reader.bytesFetched - indexBytes).toBe(store.counts.bytesRead);
  });

  it('refuses ranges past the last entry', async () => {
    const { store, location } = await fixture();
    const reader = await OffloadedLedgerReader.open(store, location);
    await expect(reader.read(COUNT - 1, COUNT)).rejects.toBeInstanceOf(EntryOutOfRangeError);
    await expect(reader.read(5, 4)).rejects.toBeInstanceOf(EntryOutOfRangeError);
  });
});
