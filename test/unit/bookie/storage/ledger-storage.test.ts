// Ledger storage: round trips, idempotent re-adds, ledger state, and what a crash keeps (real files in temp dirs).
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../../common/index.js';
import {
  EntryExistsDifferentError,
  InvalidArgumentError,
  LedgerStorage,
  StorageClosedError,
  type LedgerStorageOptions,
} from '../../../../bookie/storage/index.js';
import { entryLogFiles, payload, tempDir } from './storage-fixtures.js';

const SMALL: LedgerStorageOptions = { maxLogBytes: 4096 };

async function expectAll(storage: LedgerStorage, ledgers: number[], count: number): Promise<void> {
  for (const l of ledgers) {
    for (let e = 0; e < count; e++) {
      const got = await storage.readEntry(l, e);
      expect(got?.equals(payload(l, e)), `entry ${l}:${e}`).toBe(true);
    }
  }
}

describe('LedgerStorage', () => {
  it('round-trips entries across log rotation: buffered, flushed, checkpointed, and after reopen', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, SMALL);
    for (let e = 0; e < 150; e++) {
      for (const l of [1, 2, 3]) expect(await storage.addEntry(l, e, payload(l, e))).toBe('added');
    }
    const large = Buffer.alloc(10_000, 0xab); // larger than maxLogBytes: gets a log of its own
    expect(await storage.addEntry(4, 0, large)).toBe('added');
    await expectAll(storage, [1, 2, 3], 150); // from memory
    await storage.flush();
    await expectAll(storage, [1, 2, 3], 150);
    await storage.checkpoint();
    await expectAll(storage, [1, 2, 3], 150);
    const files = await entryLogFiles(dir);
    expect(files.length).toBeGreaterThan(10); // ~30 KB of records in 4 KiB logs
    await storage.close();

    const reopened = await LedgerStorage.open(dir, SMALL);
    await expectAll(reopened, [1, 2, 3], 150);
    expect(reopened.lastEntryId(2)).toBe(149);
    expect((await reopened.readEntry(4, 0))?.equals(large)).toBe(true);
    expect(reopened.stats().ledgers).toBe(4);
    await reopened.close();
  });

  it('answers undefined for a missing ledger or entry, and an empty range', async () => {
    const storage = await LedgerStorage.open(await tempDir(), SMALL);
    await storage.addEntry(1, 0, payload(1, 0));
    await storage.addEntry(1, 2, payload(1, 2));
    await storage.checkpoint();
    expect(await storage.readEntry(9, 0)).toBeUndefined();
    expect(await storage.readEntry(1, 1)).toBeUndefined();
    expect(await storage.readEntry(1, 3)).toBeUndefined();
    expect(await storage.readEntry(1, 1_000_000)).toBeUndefined();
    expect(await storage.readRange(9, 0, 10, 1 << 20)).toEqual([]);
    expect(await storage.readRange(1, 1, 10, 1 << 20)).toEqual([]);
    expect(storage.hasLedger(9)).toBe(false);
    expect(storage.lastEntryId(9)).toBeUndefined();
    expect(storage.lastEntryId(1)).toBe(2);
    await storage.close();
  });

  it('accepts a re-add of the same bytes and refuses different bytes, in memory and on disk', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, SMALL);
    const original = Buffer.from('the original entry');
    expect(await storage.addEntry(5, 0, original)).toBe('added');
    expect(await storage.addEntry(5, 0, Buffer.from('the original entry'))).toBe('duplicate');
    await expect(storage.addEntry(5, 0, Buffer.from('the original entrY'))).rejects.toBeInstanceOf(EntryExistsDifferentError);
    await expect(storage.addEntry(5, 0, Buffer.from('short'))).rejects.toBeInstanceOf(EntryExistsDifferentError);
    await storage.checkpoint();
    await storage.close();

    const reopened = await LedgerStorage.open(dir, SMALL);
    expect(await reopened.addEntry(5, 0, Buffer.from('the original entry'))).toBe('duplicate');
    const err = await reopened.addEntry(5, 0, Buffer.from('the original entrY')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EntryExistsDifferentError);
    expect((err as EntryExistsDifferentError).code).toBe('ENTRY_EXISTS_DIFFERENT');
    expect((await reopened.readEntry(5, 0))?.toString()).toBe('the original entry');
    expect(reopened.stats().fileReads).toBe(3); // each on-disk compare read the stored entry, plus the final read
    await reopened.close();
  });

  it('reads a range up to a gap or maxBytes, with one file read per contiguous run', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    const sized = (e: number): Buffer => Buffer.alloc(100, e);
    for (let e = 0; e < 50; e++) await storage.addEntry(1, e, sized(e));
    await storage.addEntry(1, 51, sized(51)); // gap at 50
    await storage.checkpoint();
    await storage.close();

    const reopened = await LedgerStorage.open(dir);
    const all = await reopened.readRange(1, 0, 100, 1 << 20);
    expect(all.map((b) => b[0])).toEqual([...Array(50).keys()]);
    expect(reopened.stats().fileReads).toBe(1);
    const bounded = await reopened.readRange(1, 10, 49, 350);
    expect(bounded.map((b) => b[0])).toEqual([10, 11, 12]);
    const oversized = await reopened.readRange(1, 20, 49, 10);
    expect(oversized.map((b) => b[0])).toEqual([20]); // the first entry always comes back
    expect(await reopened.readRange(1, 7, 3, 1 << 20)).toEqual([]);
    await reopened.close();
  });

  it('reads a range of a ledger interleaved with another in one file read, skipping the small gaps', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    for (let e = 0; e < 100; e++) for (const l of [1, 2]) await storage.addEntry(l, e, payload(l, e));
    await storage.checkpoint();
    await storage.close();
    const reopened = await LedgerStorage.open(dir);
    const range = await reopened.readRange(2, 0, 99, 1 << 20);
    expect(range.length).toBe(100);
    range.forEach((b, e) => expect(b.equals(payload(2, e)), `entry 2:${e}`).toBe(true));
    expect(reopened.stats().fileReads).toBe(1);
    await reopened.close();
  });

  it('serves 10k entries from the index: exactly one file read of exactly one record each, no scanning', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, { maxLogBytes: 256 * 1024 });
    let recordBytes = 0;
    for (let e = 0; e < 10_000; e++) {
      await storage.addEntry(7, e, payload(7, e, 200));
      recordBytes += 24 + payload(7, e, 200).length;
    }
    await storage.checkpoint();
    await storage.close();

    const reopened = await LedgerStorage.open(dir, { maxLogBytes: 256 * 1024 });
    expect(reopened.stats().fileReads).toBe(0);
    for (let i = 0; i < 10_000; i++) {
      const e = (i * 7919) % 10_000; // every entry once, in a scattered order
      expect((await reopened.readEntry(7, e))?.equals(payload(7, e, 200))).toBe(true);
    }
    expect(reopened.stats().fileReads).toBe(10_000);
    expect(reopened.stats().bytesRead).toBe(recordBytes);
    await reopened.close();
  });

  it('keeps fence and LAC across checkpoint and reopen', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    expect(storage.setFenced(3)).toBe(true);
    expect(storage.setFenced(3)).toBe(false);
    storage.updateLac(3, 10);
    storage.updateLac(3, 4); // lower: ignored
    storage.updateLac(4, 0);
    expect(storage.getLac(3)).toBe(10);
    await storage.checkpoint();
    await storage.close();

    const reopened = await LedgerStorage.open(dir);
    expect(reopened.isFenced(3)).toBe(true);
    expect(reopened.isFenced(4)).toBe(false);
    expect(reopened.getLac(3)).toBe(10);
    expect(reopened.getLac(4)).toBe(0);
    expect(reopened.hasLedger(3)).toBe(true);
    expect(reopened.lastEntryId(3)).toBeUndefined();
    await reopened.close();
  });

  it('loses fence and LAC set after the last checkpoint on a crash (the journal must carry them)', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    storage.updateLac(3, 5);
    await storage.checkpoint();
    storage.setFenced(3);
    storage.updateLac(3, 9);
    await storage.flush();
    await storage.close(); // no checkpoint: as if the bookie crashed

    const reopened = await LedgerStorage.open(dir);
    expect(reopened.isFenced(3)).toBe(false);
    expect(reopened.getLac(3)).toBe(5);
    await reopened.close();
  });

  it('after a crash keeps exactly the checkpointed entries; replaying the rest restores everything', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, SMALL);
    for (let e = 0; e < 50; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.checkpoint();
    for (let e = 50; e < 100; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.flush(); // the bytes are in the entry logs, but no index record names them
    await storage.close();

    const reopened = await LedgerStorage.open(dir, SMALL);
    await expectAll(reopened, [1], 50);
    for (let e = 50; e < 100; e++) expect(await reopened.readEntry(1, e)).toBeUndefined();
    expect(reopened.lastEntryId(1)).toBe(49);
    // Journal replay from the last checkpoint, which may overlap what storage already holds.
    for (let e = 40; e < 100; e++) expect(await reopened.addEntry(1, e, payload(1, e))).toBe(e < 50 ? 'duplicate' : 'added');
    await reopened.checkpoint();
    await reopened.close();

    const again = await LedgerStorage.open(dir, SMALL);
    await expectAll(again, [1], 100);
    await again.close();
  });

  it('writes behind in the background to bound buffered bytes, without making anything durable', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, { writeBufferBytes: 2048 });
    for (let e = 0; e < 200; e++) await storage.addEntry(1, e, payload(1, e));
    expect(storage.stats().unwrittenBytes).toBeGreaterThan(2048);
    await waitFor('write-behind', () => storage.stats().unwrittenBytes === 0, { timeoutMs: 5000, intervalMs: 5 });
    await expectAll(storage, [1], 200); // now read back from the file
    expect(storage.stats().fileReads).toBe(200);
    await storage.close();

    const reopened = await LedgerStorage.open(dir);
    expect(reopened.hasLedger(1)).toBe(false); // written is not checkpointed
    await reopened.close();
  });

  it('hides a deleted ledger at once and keeps it deleted after checkpoint and reopen', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, SMALL);
    for (let e = 0; e < 20; e++) {
      await storage.addEntry(1, e, payload(1, e));
      await storage.addEntry(2, e, payload(2, e));
    }
    storage.setFenced(1);
    await storage.checkpoint();
    expect(storage.deleteLedger(1)).toBe(true);
    expect(storage.deleteLedger(1)).toBe(false);
    expect(storage.hasLedger(1)).toBe(false);
    expect(storage.isFenced(1)).toBe(false);
    expect(await storage.readEntry(1, 3)).toBeUndefined();
    await storage.checkpoint();
    await storage.close();

    const reopened = await LedgerStorage.open(dir, SMALL);
    expect(reopened.hasLedger(1)).toBe(false);
    expect(await reopened.readEntry(1, 3)).toBeUndefined();
    await expectAll(reopened, [2], 20);
    await reopened.close();
  });

  it('refuses bad ids with InvalidArgumentError and every call after close with StorageClosedError', async () => {
    const storage = await LedgerStorage.open(await tempDir());
    await expect(storage.addEntry(-1, 0, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(storage.addEntry(1, 1.5, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => storage.updateLac(1, -2)).toThrow(InvalidArgumentError);
    await expect(LedgerStorage.open(await tempDir(), { maxLogBytes: 10 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await storage.close();
    await expect(storage.addEntry(1, 0, Buffer.from('x'))).rejects.toBeInstanceOf(StorageClosedError);
    await expect(storage.readEntry(1, 0)).rejects.toBeInstanceOf(StorageClosedError);
    await expect(storage.checkpoint()).rejects.toBeInstanceOf(StorageClosedError);
    expect(() => storage.setFenced(1)).toThrow(StorageClosedError);
  });
});
