// The order of durable steps, checked by failing one step (as a crash there would) and reopening.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntryLogSet, IndexLog } from '../../../../bookie/storage/internal.js';
import { LedgerStorage, StorageFailedError } from '../../../../bookie/storage/index.js';
import { entryLogFiles, payload, tempDir } from './storage-fixtures.js';

const OPTIONS = { maxLogBytes: 4096, compactionThreshold: 0.8 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('LedgerStorage crash ordering', () => {
  it('writes no index record when the entry log flush of a checkpoint fails, and refuses further changes', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, OPTIONS);
    for (let e = 0; e < 5; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.checkpoint();
    for (let e = 5; e < 40; e++) await storage.addEntry(1, e, payload(1, e));
    const append = vi.spyOn(IndexLog.prototype, 'append');
    vi.spyOn(EntryLogSet.prototype, 'flush').mockRejectedValueOnce(new Error('EIO: simulated'));
    await expect(storage.checkpoint()).rejects.toThrow('EIO: simulated');
    expect(append).not.toHaveBeenCalled();
    await expect(storage.addEntry(1, 40, payload(1, 40))).rejects.toBeInstanceOf(StorageFailedError);
    await expect(storage.checkpoint()).rejects.toBeInstanceOf(StorageFailedError);
    await storage.close();

    const reopened = await LedgerStorage.open(dir, OPTIONS);
    expect(reopened.lastEntryId(1)).toBe(4);
    await reopened.close();
  });

  it('keeps the old entry logs when compaction fails at its index fsync; every entry still reads after reopen', async () => {
    const dir = await tempDir();
    const first = await LedgerStorage.open(dir, OPTIONS);
    for (let e = 0; e < 60; e++) for (const l of [1, 2, 3]) await first.addEntry(l, e, payload(l, e));
    await first.checkpoint();
    await first.close();
    const storage = await LedgerStorage.open(dir, OPTIONS);
    const old = await entryLogFiles(dir);
    storage.deleteLedger(2);
    vi.spyOn(IndexLog.prototype, 'append').mockRejectedValueOnce(new Error('crash before the index fsync'));
    await expect(storage.compact()).rejects.toThrow('crash before the index fsync');
    const now = await entryLogFiles(dir);
    expect(old.every((n) => now.includes(n))).toBe(true); // nothing deleted
    expect(now.length).toBeGreaterThan(old.length); // the copies were written
    await storage.close();

    const reopened = await LedgerStorage.open(dir, OPTIONS);
    for (const l of [1, 2, 3]) {
      for (let e = 0; e < 60; e++) expect((await reopened.readEntry(l, e))?.equals(payload(l, e))).toBe(true);
    }
    reopened.deleteLedger(2);
    const result = await reopened.compact(); // the orphaned copies are garbage and go too
    expect(result.entriesMoved).toBe(120);
    for (const l of [1, 3]) {
      for (let e = 0; e < 60; e++) expect((await reopened.readEntry(l, e))?.equals(payload(l, e))).toBe(true);
    }
    await reopened.close();
  });
});
