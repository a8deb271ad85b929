// The offload object format: golden header bytes, entries straddling blocks read back byte-identical
// through the index, and every unknown version, bad magic or damaged byte refused.
import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { ObjectCorruptError, OffloadMismatchError, OffloadedLedgerReader, OFFLOAD_FORMAT_VERSION } from '../../../objectstore/index.js';
import {
  FOOTER_BYTES, HEADER_BYTES, INDEX_FIXED_BYTES, OffloadEncoder, OffloadIndex, decodeFooter, decodeOffloadHeader, encodeOffloadHeader, formatChecksum,
} from '../../../objectstore/internal.js';
import { MemoryObjectStore } from '../../helpers/counting-object-store.js';
import { batches, encodeAll, entriesOf } from '../../helpers/offload-fixtures.js';

const BLOCK = 4096;

async function open(bytes: Buffer, ledgerId = 7) {
  const store = new MemoryObjectStore();
  await store.put('o', bytes);
  return OffloadedLedgerReader.open(store, { objectKey: 'o', size: bytes.length, ledgerId });
}

// Sizes chosen to straddle 4 KiB blocks: empty entries, entries spanning several blocks, tiny ones.
const SIZES = [10, 0, 5000, 4079, 1, 20_000, 0, 0, 300, 4096, 4080, 17, 9000, 2, 2];

describe('offload format', () => {
  it('the header has its golden bytes: magic STLO, version 1, ledger id, block size, CRC32C', () => {
    expect(encodeOffloadHeader({ ledgerId: 42, blockSize: 4096 }).toString('hex')).toBe('53544c4f00010000000000000000002a000010000000000000000000d8d77e8b');
    expect(decodeOffloadHeader(Buffer.from('53544c4f00010000000000000000002a000010000000000000000000d8d77e8b', 'hex'), 'x')).toEqual({ ledgerId: 42, blockSize: 4096 });
  });

  it('the object is header, blocks, index and footer, and its checksum is the CRC32C of every byte', async () => {
    const entries = entriesOf(7, SIZES);
    const { bytes, summary, chunks } = await encodeAll(entries);
    expect(summary.size).toBe(bytes.length);
    expect(summary.checksum).toBe(formatChecksum(crc32c(bytes)));
    expect(summary.entryCount).toBe(SIZES.length);
    expect(summary.payloadBytes).toBe(SIZES.reduce((a, b) => a + b, 0));
    const dataLength = SIZES.reduce((a, b) => a + b + 16, 0);
    expect(summary.indexOffset).toBe(HEADER_BYTES + dataLength);
    expect(summary.blockCount).toBe(Math.ceil(dataLength / BLOCK));
    // Whole blocks travel as chunks of exactly the block size; only the last data block is short.
    expect(chunks.slice(1, summary.blockCount).every((c) => c.length === BLOCK)).toBe(true);
    const footer = decodeFooter(bytes.subarray(bytes.length - FOOTER_BYTES), 'x');
    expect(footer.indexOffset).toBe(summary.indexOffset);
    const index = OffloadIndex.decode(bytes.subarray(footer.indexOffset, footer.indexOffset + footer.indexLength), 'x', 7);
    expect(index.entryCount).toBe(SIZES.length);
    // Entry 5 (20,000 bytes) covers whole blocks in which no record starts.
    expect(index.startOf(6).block).toBeGreaterThan(index.startOf(5).block + 3);
  });

  it('reads every entry and every range back byte-identical, across block boundaries', async () => {
    const entries = entriesOf(7, SIZES);
    const { bytes } = await encodeAll(entries);
    const reader = await open(bytes);
    expect(reader.lastReadable).toBe(SIZES.length - 1);
    for (let first = 0; first < SIZES.length; first++) {
      for (let last = first; last < SIZES.length; last++) {
        const got = await reader.read(first, last);
        expect(got.map((e) => e.entryId)).toEqual(entries.slice(first, last + 1).map((e) => e.entryId));
        for (const e of got) {
          expect(e.payload.equals(entries[e.entryId]!.payload), `entry ${e.entryId} of ${first}..${last}`).toBe(true);
          expect(e.crc).toBe(entries[e.entryId]!.crc);
        }
      }
    }
  });

  it('an empty ledger is an object with no blocks', async () => {
    const { bytes, summary } = await encodeAll([]);
    expect(summary.blockCount).toBe(0);
    expect(bytes.length).toBe(HEADER_BYTES + INDEX_FIXED_BYTES + 4 + FOOTER_BYTES);
    expect((await open(bytes)).lastReadable).toBe(-1);
  });

  it('refuses a missing, repeated or extra entry, and a second pass that differs from the first', async () => {
    const entries = entriesOf(7, [10, 20, 30]);
    await expect(encodeAll([entries[0]!, entries[2]!], { lastEntryId: 2 })).rejects.toBeInstanceOf(OffloadMismatchError);
    await expect(encodeAll(entries.slice(0, 2), { lastEntryId: 2 })).rejects.toThrow(/read 2 entries, its metadata says 3/);
    await expect(encodeAll(entries, { lastEntryId: 1 })).rejects.toBeInstanceOf(OffloadMismatchError);
    const { summary } = await encodeAll(entries);
    const changed = entries.map((e) => ({ ...e, payload: Buffer.from(e.payload) }));
    changed[1]!.payload[3]! ^= 1;
    // The stream fails before its last chunk, so an upload fed by it never completes.
    const encoder = new OffloadEncoder({ ledgerId: 7, blockSize: BLOCK, lastEntryId: 2, expectedChecksum: summary.checksum });
    const seen: Buffer[] = [];
    await expect((async () => { for await (const c of encoder.encode(batches(changed))) seen.push(c); })()).rejects.toBeInstanceOf(OffloadMismatchError);
    expect(Buffer.concat(seen).length).toBeLessThan(summary.size);
  });

  it('refuses unknown versions and bad magic numbers in header, index and footer, with a clear error', async () => {
    const { bytes, summary } = await encodeAll(entriesOf(7, SIZES));
    const header = Buffer.from(bytes.subarray(0, HEADER_BYTES));
    header.writeUInt16BE(OFFLOAD_FORMAT_VERSION + 1, 4);
    expect(() => decodeOffloadHeader(header, 'x')).toThrow(/unknown format version 2/);
    const index = Buffer.from(bytes.subarray(summary.indexOffset, bytes.length - FOOTER_BYTES));
    index.writeUInt16BE(9, 4);
    index.writeUInt32BE(crc32c(index.subarray(0, index.length - 4)) >>> 0, index.length - 4);
    expect(() => OffloadIndex.decode(index, 'x')).toThrow(/index has unknown format version 9/);
    const footer = Buffer.from(bytes.subarray(bytes.length - FOOTER_BYTES));
    footer.writeUInt32BE(0x12345678, 16);
    expect(() => decodeFooter(footer, 'x')).toThrow(ObjectCorruptError);
    const noVersion = Buffer.from(bytes);
    noVersion.writeUInt16BE(3, bytes.length - FOOTER_BYTES + 12);
    const store = new MemoryObjectStore();
    await store.put('o', noVersion);
    await expect(OffloadedLedgerReader.open(store, { objectKey: 'o', size: bytes.length })).rejects.toThrow(/unknown format version 3/);
  });

  it('a damaged block or index is refused, never returned', async () => {
    const { bytes, summary } = await encodeAll(entriesOf(7, SIZES));
    const damaged = Buffer.from(bytes);
    damaged[HEADER_BYTES + BLOCK + 100]! ^= 0x40;
    const reader = await open(damaged);
    await expect(reader.read(0, SIZES.length - 1)).rejects.toThrow(/block 1 checksum mismatch/);
    const badIndex = Buffer.from(bytes);
    badIndex[summary.indexOffset + INDEX_FIXED_BYTES + 3]! ^= 1;
    await expect(open(badIndex)).rejects.toThrow(/index checksum mismatch/);
    await expect(open(bytes, 8)).rejects.toThrow(/holds ledger 7, not 8/);
  });
});
