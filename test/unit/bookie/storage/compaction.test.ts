// Entry log compaction: reclaims space of deleted ledgers, never loses a live entry, and survives a crash at any step.
import { copyFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerStorage, type LedgerStorageOptions } from '../../../../bookie/storage/index.js';
import { entryLogFiles, payload, tempDir } from './storage-fixtures.js';

const OPTIONS: LedgerStorageOptions = { maxLogBytes: 4096, compactionThreshold: 0.8 };
const INDEX = 'ledger-index.log';

/**
 * Ledgers 1, 2, 3 interleaved, `count` entries each, checkpointed and reopened, so that every log holding
 * them is sealed (compaction never rewrites the current log).
 */
async function interleaved(dir: string, count: number, options = OPTIONS): Promise<LedgerStorage> {
  const storage = await LedgerStorage.open(dir, options);
  for (let e = 0; e < count; e++) for (const l of [1, 2, 3]) await storage.addEntry(l, e, payload(l, e));
  await storage.checkpoint();
  await storage.close();
  return LedgerStorage.open(dir, options);
}

async function expectLedgers(storage: LedgerStorage, ledgers: number[], count: number): Promise<void> {
  for (const l of ledgers) {
    for (let e = 0; e < count; e++) expect((await storage.readEntry(l, e))?.equals(payload(l, e)), `entry ${l}:${e}`).toBe(true);
  }
}

async function dirBytes(dir: string, names: string[]): Promise<number> {
  let total = 0;
  for (const n of names) total += (await stat(join(dir, n))).size;
  return total;
}

describe('LedgerStorage compaction', () => {
  it('reclaims the files of a deleted ledger; the other ledgers read byte-identical, also after reopen', async () => {
    const dir = await tempDir();
    const storage = await interleaved(dir, 120);
    const before = await entryLogFiles(dir);
    const bytesBefore = await dirBytes(dir, before);
    expect(await storage.maybeCompact()).toBeUndefined(); // every log is fully live
    expect(storage.deleteLedger(2)).toBe(true);

    const result = await storage.maybeCompact();
    expect(result).toBeDefined();
    expect(result!.logsCompacted).toBe(before.length);
    expect(result!.entriesMoved).toBe(240);
    expect(result!.bytesReclaimed).toBe(result!.bytesFreed - result!.bytesMoved);
    const after = await entryLogFiles(dir);
    expect(after.some((n) => before.includes(n))).toBe(false);
    const bytesAfter = await dirBytes(dir, after);
    expect(bytesAfter).toBeLessThan(bytesBefore);
    expect(bytesBefore - bytesAfter).toBeGreaterThanOrEqual(result!.bytesReclaimed - 32 * after.length);
    await expectLedgers(storage, [1, 3], 120);
    expect(await storage.maybeCompact()).toBeUndefined(); // nothing left below the threshold
    await storage.close();

    const reopened = await LedgerStorage.open(dir, OPTIONS);
    await expectLedgers(reopened, [1, 3], 120);
    expect(reopened.hasLedger(2)).toBe(false);
    expect(await reopened.readEntry(2, 0)).toBeUndefined();
    const stats = reopened.stats(); // after compaction every log holds only live records
    expect(stats.liveBytes).toBe(stats.entryLogBytes - 32 * stats.entryLogs);
    await reopened.close();
  });

  it('deletes a log with no live entry without copying anything', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir, OPTIONS);
    for (let e = 0; e < 60; e++) await storage.addEntry(1, e, payload(1, e)); // several logs of ledger 1 only
    for (let e = 0; e < 60; e++) await storage.addEntry(2, e, payload(2, e));
    await storage.checkpoint();
    storage.deleteLedger(1);
    const result = await storage.compact(0.01);
    expect(result.logsCompacted).toBeGreaterThan(0);
    expect(result.bytesFreed).toBeGreaterThan(0);
    await expectLedgers(storage, [2], 60);
    expect(await storage.readEntry(1, 0)).toBeUndefined();
    await storage.close();
  });

  it('keeps entries added while it runs', async () => {
    const dir = await tempDir();
    const storage = await interleaved(dir, 60);
    storage.deleteLedger(3);
    const compaction = storage.compact();
    for (let e = 60; e < 90; e++) await storage.addEntry(1, e, payload(1, e));
    expect((await compaction).entriesMoved).toBe(120);
    for (let e = 90; e < 100; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.checkpoint();
    await storage.close();
    const reopened = await LedgerStorage.open(dir, OPTIONS);
    await expectLedgers(reopened, [1], 100);
    await expectLedgers(reopened, [2], 60);
    await reopened.close();
  });

  it('loses nothing on a crash after the index fsync but before the old files are deleted', async () => {
    const dir = await tempDir();
    const aside = await tempDir();
    const storage = await interleaved(dir, 90);
    const old = await entryLogFiles(dir);
    for (const n of old) await copyFile(join(dir, n), join(aside, n));
    storage.deleteLedger(2);
    await storage.compact();
    await storage.close();
    const after = await entryLogFiles(dir);
    const deleted = old.filter((n) => !after.includes(n));
    expect(deleted.length).toBe(old.length);
    for (const n of deleted) await copyFile(join(aside, n), join(dir, n)); // the deletes never reached the disk

    const reopened = await LedgerStorage.open(dir, OPTIONS);
    await expectLedgers(reopened, [1, 3], 90);
    const again = await reopened.maybeCompact(); // the old files hold nothing live now
    expect(again?.logsCompacted).toBe(old.length);
    expect(again?.entriesMoved).toBe(0);
    await expectLedgers(reopened, [1, 3], 90);
    await reopened.close();
  });

  it('loses nothing on a crash after the copies were written but before the index fsync', async () => {
    const dir = await tempDir();
    const aside = await tempDir();
    const storage = await interleaved(dir, 90);
    const old = await entryLogFiles(dir);
    for (const n of [...old, INDEX]) await copyFile(join(dir, n), join(aside, n));
    storage.deleteLedger(2);
    await storage.compact();
    await storage.close();
    // The crash state: the new logs are on disk, the index log holds only what it held before, old logs still there.
    for (const n of [...old, INDEX]) await copyFile(join(aside, n), join(dir, n));
    expect((await readdir(dir)).length).toBeGreaterThan(old.length + 1);

    const reopened = await LedgerStorage.open(dir, OPTIONS);
    await expectLedgers(reopened, [1, 2, 3], 90); // the delete was not checkpointed either: the GC repeats it
    await reopened.close();
  });

  it('rewrites the index log when it is mostly dead, and reopens to the same state', async () => {
    const dir = await tempDir();
    const options = { ...OPTIONS, indexRewriteMinDeadRecords: 10 };
    const storage = await LedgerStorage.open(dir, options);
    for (let e = 0; e < 300; e++) await storage.addEntry(1, e, payload(1, e, 50));
    for (let e = 0; e < 20; e++) await storage.addEntry(2, e, payload(2, e));
    storage.setFenced(2);
    storage.updateLac(2, 18);
    await storage.checkpoint();
    const fullSize = (await stat(join(dir, INDEX))).size;
    expect(storage.stats().indexLogRecords).toBe(322);
    storage.deleteLedger(1);
    await storage.checkpoint();
    expect(storage.stats().indexLogRecords).toBe(22); // 20 entries + fence + LAC
    expect((await stat(join(dir, INDEX))).size).toBeLessThan(fullSize / 5);
    await storage.close();

    const reopened = await LedgerStorage.open(dir, options);
    expect(reopened.hasLedger(1)).toBe(false);
    await expectLedgers(reopened, [2], 20);
    expect(reopened.isFenced(2)).toBe(true);
    expect(reopened.getLac(2)).toBe(18);
    await reopened.close();
  });

  it('skips the entries of an index snapshot that are not yet durable, and checkpoints them next time', async () => {
    const dir = await tempDir();
    const options = { indexRewriteMinDeadRecords: 0 };
    const storage = await LedgerStorage.open(dir, options);
    for (let e = 0; e < 50; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.checkpoint();
    storage.deleteLedger(1);
    const checkpoint = storage.checkpoint(); // rewrites: everything it covered is dead
    for (let e = 0; e < 10; e++) await storage.addEntry(2, e, payload(2, e)); // most are added during it
    await checkpoint;
    expect(storage.stats().indexLogRecords).toBeLessThan(10);
    await storage.checkpoint();
    await storage.close();
    const reopened = await LedgerStorage.open(dir, options);
    await expectLedgers(reopened, [2], 10);
    expect(reopened.hasLedger(1)).toBe(false);
    await reopened.close();
  });
});
