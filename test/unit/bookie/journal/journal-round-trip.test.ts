// Records appended across many file rotations come back from replay unchanged, in order, with
// the same positions; new files are durable (file and directory synced) before their first ack.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JournalClosedError, InvalidJournalRecordError, compareJournalPositions, journalFileName } from '../../../../bookie/journal/index.js';
import { appendAll, journalFiles, loggingSync, makeRecords, makeTempDir, openCollecting, plain, removeDir } from './journal-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('journal round trip', { timeout: 15_000 }, () => {
  it('replays every record across rotated files, in order, with the positions append returned', async () => {
    const first = await openCollecting(dir, { maxFileBytes: 16 * 1024 });
    expect(first.records).toEqual([]);
    const records = makeRecords(2000);
    const ends = await appendAll(first.journal, records);
    await first.journal.close();

    for (let i = 1; i < ends.length; i++) expect(compareJournalPositions(ends[i - 1], ends[i])).toBeLessThan(0);
    const fileIds = new Set(ends.map((p) => p.fileId));
    expect(fileIds.size).toBeGreaterThan(10);
    // Files are created only for batches that go to them: one per id seen, nothing else.
    expect((await journalFiles(dir)).length).toBe(fileIds.size);

    const second = await openCollecting(dir);
    expect(second.records.map(plain)).toEqual(records.map(plain));
    expect(second.ends).toEqual(ends);
    expect(second.warnings).toEqual([]);
    expect(second.journal.replaySummary).toMatchObject({ records: 2000, files: fileIds.size, truncatedAt: undefined });
    // Appends after a replay go to a new file, never to an old one.
    expect(second.journal.currentFileId).toBe(Math.max(...fileIds) + 1);
    await second.journal.close();
  });

  it('rolls only between batches, once the file reached maxFileBytes', async () => {
    const { journal } = await openCollecting(dir, { maxFileBytes: 4096 });
    const payload = Buffer.alloc(1000, 7);
    const ends = [];
    for (let i = 0; i < 10; i++) ends.push(await journal.append({ type: 'addEntry', ledgerId: 1, entryId: i, payload }));
    await journal.close();
    // header 20 + 4 records of 1025 bytes passes 4096 after the 4th: the 5th starts file 2.
    expect(ends.map((p) => p.fileId)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(ends[3]).toEqual({ fileId: 1, offset: 20 + 4 * 1025 });
    expect(ends[4]).toEqual({ fileId: 2, offset: 20 + 1025 });
    expect((await fs.stat(path.join(dir, 'journal-000000000001.log'))).size).toBe(20 + 4 * 1025);
  });

  it('syncs a new file and its directory entry before acknowledging a record in it', async () => {
    const log: string[] = [];
    const { journal } = await openCollecting(dir, { maxFileBytes: 64, sync: loggingSync(log) });
    log.length = 0;
    for (let i = 0; i < 4; i++) {
      const end = await journal.append({ type: 'addEntry', ledgerId: 1, entryId: i, payload: Buffer.alloc(100, i) });
      log.push(`ack:${end.fileId}`);
    }
    await journal.close();
    // Each record (125 bytes) fills its file, so every later one goes to a new file, created ahead
    // (while the previous record syncs): file k's file and directory syncs finish before ack:k.
    const finishedBefore = (kind: string, mark: string) => log.slice(0, log.indexOf(mark)).filter((k) => k === kind).length;
    expect(log.filter((k) => k.startsWith('ack:'))).toEqual(['ack:1', 'ack:2', 'ack:3', 'ack:4']);
    expect(log.filter((k) => k === 'data')).toHaveLength(4);
    for (let fileId = 2; fileId <= 4; fileId++) {
      expect(finishedBefore('file', `ack:${fileId}`)).toBeGreaterThanOrEqual(fileId - 1);
      expect(finishedBefore('directory', `ack:${fileId}`)).toBeGreaterThanOrEqual(fileId - 1);
    }
    // The file created ahead after the last record was never written: close removed it.
    expect(await journalFiles(dir)).toEqual([1, 2, 3, 4].map(journalFileName));
  });

  it('creates a missing journal directory and fsyncs the parents of what it created', async () => {
    const log: string[] = [];
    const nested = path.join(dir, 'a', 'b');
    const journal = await Journal.open(nested, { sync: loggingSync(log) });
    // dir (for a), a (for b), then the first file: file, b.
    expect(log.filter((k) => !k.endsWith(':start'))).toEqual(['directory', 'directory', 'file', 'directory']);
    await journal.append({ type: 'fence', ledgerId: 3 });
    await journal.close();
    expect(await journalFiles(nested)).toEqual(['journal-000000000001.log']);
  });

  it('close commits what is pending, then refuses appends', async () => {
    const { journal } = await openCollecting(dir, { maxDelayMs: 500 });
    const records = makeRecords(100);
    const pending = records.map((r) => journal.append(r));
    await journal.close();
    const ends = await Promise.all(pending);
    expect(ends).toHaveLength(100);
    expect(journal.syncedPosition).toEqual(ends[99]);
    await expect(journal.append(records[0])).rejects.toBeInstanceOf(JournalClosedError);
    await journal.close(); // idempotent

    const again = await openCollecting(dir);
    expect(again.records.map(plain)).toEqual(records.map(plain));
    await again.journal.close();
  });

  it('appendBatch resolves once with the end of its last record; an empty batch is a barrier', async () => {
    const { journal } = await openCollecting(dir);
    const records = makeRecords(10);
    const single = await journal.append(records[0]);
    const end = await journal.appendBatch(records.slice(1));
    expect(end).toEqual(journal.syncedPosition);
    expect(end.offset).toBeGreaterThan(single.offset);
    const tail = journal.append(records[0]);
    const barrier = await journal.appendBatch([]);
    expect(barrier).toEqual(await tail);
    await journal.close();
    const again = await openCollecting(dir);
    expect(again.records.map(plain)).toEqual([...records, records[0]].map(plain));
    await again.journal.close();
  });

  it('refuses invalid records without queueing anything', async () => {
    const { journal } = await openCollecting(dir);
    await expect(journal.append({ type: 'fence', ledgerId: -1 })).rejects.toBeInstanceOf(InvalidJournalRecordError);
    await expect(journal.append({ type: 'addEntry', ledgerId: 1, entryId: 2 ** 53, payload: Buffer.alloc(1) })).rejects.toBeInstanceOf(
      InvalidJournalRecordError,
    );
    await expect(journal.appendBatch([{ type: 'fence', ledgerId: 1 }, { type: 'fence', ledgerId: 1.5 }])).rejects.toBeInstanceOf(
      InvalidJournalRecordError,
    );
    expect(journal.pendingBytes).toBe(0);
    await journal.close();
    const again = await Journal.open(dir);
    expect(again.replaySummary.records).toBe(0);
    await again.close();
  });
});
