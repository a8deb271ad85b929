// Ledger storage files on disk: format checks, torn tails, corruption, and what open refuses.
import { crc32c } from '@node-rs/crc32';
import { appendFile, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryChecksumError, LedgerStorage, StorageCorruptError, StorageFormatError } from '../../../../bookie/storage/index.js';
import { entryLogFiles, payload, tempDir } from './storage-fixtures.js';

const INDEX = 'ledger-index.log';

/** Storage with ledger 1, entries 0..count-1, checkpointed and closed. */
async function written(dir: string, count = 10): Promise<void> {
  const storage = await LedgerStorage.open(dir);
  for (let e = 0; e < count; e++) await storage.addEntry(1, e, payload(1, e));
  await storage.checkpoint();
  await storage.close();
}

async function patch(path: string, at: number, bytes: number[]): Promise<void> {
  const data = await readFile(path);
  bytes.forEach((b, i) => (data[at + i] = b));
  await writeFile(path, data);
}

describe('LedgerStorage files', () => {
  it('refuses an entry log whose header is damaged, with StorageFormatError', async () => {
    const dir = await tempDir();
    await written(dir);
    const [log] = await entryLogFiles(dir);
    await patch(join(dir, log!), 0, [0x12, 0x34]);
    const err = await LedgerStorage.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFormatError);
    expect((err as StorageFormatError).code).toBe('STORAGE_FORMAT');
    expect((err as Error).message).toContain(log);
  });

  it('refuses an entry log of an unknown format version even with a valid header checksum', async () => {
    const dir = await tempDir();
    await written(dir);
    const path = join(dir, (await entryLogFiles(dir))[0]!);
    const data = await readFile(path);
    data.writeUInt16BE(2, 4);
    data.writeUInt32BE(crc32c(data.subarray(0, 28)), 28);
    await writeFile(path, data);
    await expect(LedgerStorage.open(dir)).rejects.toThrow(/format version 2 is not supported/);
  });

  it('refuses an index log that is not ours, and an index record type it does not know', async () => {
    const dir = await tempDir();
    await written(dir);
    await patch(join(dir, INDEX), 0, [0x00]);
    await expect(LedgerStorage.open(dir)).rejects.toBeInstanceOf(StorageFormatError);

    const other = await tempDir();
    await written(other);
    const body = Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 1]); // a checksum-valid batch with record type 9
    const header = Buffer.alloc(12);
    header.write('BTCH', 0, 'latin1');
    header.writeUInt32BE(body.length, 4);
    header.writeUInt32BE(crc32c(body), 8);
    await appendFile(join(other, INDEX), Buffer.concat([header, body]));
    await expect(LedgerStorage.open(other)).rejects.toThrow(/unknown index record type 9/);
  });

  it('reports a flipped payload byte as EntryChecksumError, and compaction keeps that log', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    for (let e = 0; e < 10; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.addEntry(2, 0, payload(2, 0));
    await storage.checkpoint();
    await storage.close();
    const log = join(dir, (await entryLogFiles(dir))[0]!);
    await patch(join(log), 32 + 24, [(await readFile(log))[56]! ^ 0xff]); // first payload byte of entry 1:0

    const reopened = await LedgerStorage.open(dir);
    const err = await reopened.readEntry(1, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EntryChecksumError);
    expect((err as EntryChecksumError).code).toBe('ENTRY_CHECKSUM');
    await expect(reopened.readRange(1, 0, 9, 1 << 20)).rejects.toBeInstanceOf(EntryChecksumError);
    expect((await reopened.readEntry(1, 1))?.equals(payload(1, 1))).toBe(true);
    expect(reopened.deleteLedger(2)).toBe(true);
    await reopened.close();

    const third = await LedgerStorage.open(dir); // a fresh current log: the damaged one is sealed
    third.deleteLedger(2);
    await expect(third.compact(1)).rejects.toBeInstanceOf(EntryChecksumError);
    expect(await entryLogFiles(dir)).toContain(log.slice(dir.length + 1));
    await third.close();
  });

  it('cuts a torn index tail: the last completed checkpoint survives, the torn one is lost', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    for (let e = 0; e < 10; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.checkpoint();
    const completed = (await stat(join(dir, INDEX))).size;
    for (let e = 10; e < 20; e++) await storage.addEntry(1, e, payload(1, e));
    await storage.checkpoint();
    await storage.close();
    await truncate(join(dir, INDEX), (await stat(join(dir, INDEX))).size - 7); // the second batch was torn

    const reopened = await LedgerStorage.open(dir);
    expect((await stat(join(dir, INDEX))).size).toBe(completed);
    for (let e = 0; e < 10; e++) expect((await reopened.readEntry(1, e))?.equals(payload(1, e))).toBe(true);
    for (let e = 10; e < 20; e++) expect(await reopened.readEntry(1, e)).toBeUndefined();
    await reopened.close();

    await appendFile(join(dir, INDEX), Buffer.from('BTCH\0\0\x10\0partial', 'latin1')); // a batch header promising more
    const again = await LedgerStorage.open(dir);
    expect(again.lastEntryId(1)).toBe(9);
    expect((await stat(join(dir, INDEX))).size).toBe(completed);
    await again.close();
  });

  it('refuses to open when a damaged index batch is followed by a valid one', async () => {
    const dir = await tempDir();
    const storage = await LedgerStorage.open(dir);
    await storage.addEntry(1, 0, payload(1, 0));
    await storage.checkpoint();
    await storage.addEntry(1, 1, payload(1, 1));
    await storage.checkpoint();
    await storage.close();
    const data = await readFile(join(dir, INDEX));
    await patch(join(dir, INDEX), 32 + 12 + 5, [data[32 + 12 + 5]! ^ 0x01]); // inside the first batch's body
    const err = await LedgerStorage.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageCorruptError);
    expect((err as Error).message).toMatch(/damaged batch at offset 32 is followed by a valid batch/);
  });

  it('removes an entry log whose header never reached the disk (created just before a crash)', async () => {
    const dir = await tempDir();
    await written(dir);
    await writeFile(join(dir, 'entrylog-000000ff.log'), Buffer.alloc(20));
    await writeFile(join(dir, 'entrylog-000000fe.log'), Buffer.alloc(500));
    const storage = await LedgerStorage.open(dir);
    expect(await entryLogFiles(dir)).toEqual(['entrylog-00000001.log']);
    expect((await storage.readEntry(1, 3))?.equals(payload(1, 3))).toBe(true);
    await storage.addEntry(1, 10, payload(1, 10));
    await storage.checkpoint(); // the new log takes an id above the removed ones
    expect(await entryLogFiles(dir)).toEqual(['entrylog-00000001.log', 'entrylog-00000100.log']);
    await storage.close();
  });

  it('refuses entry logs without an index log, and an index pointing past the end of a log', async () => {
    const dir = await tempDir();
    await written(dir);
    const log = join(dir, (await entryLogFiles(dir))[0]!);
    await truncate(log, (await stat(log)).size - 10);
    await expect(LedgerStorage.open(dir)).rejects.toThrow(StorageCorruptError);
    await expect(LedgerStorage.open(dir)).rejects.toThrow(/past its end/);
    await rm(join(dir, INDEX));
    await expect(LedgerStorage.open(dir)).rejects.toThrow(/no ledger-index.log/);
  });
});
