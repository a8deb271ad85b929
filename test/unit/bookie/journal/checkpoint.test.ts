// Checkpoints: written durably and atomically, never moved backwards, only for durable positions;
// they delete the journal files wholly before theirs, and replay starts just after them.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../common/index.js';
import { InvalidJournalPositionError, Journal, JournalClosedError, journalFileName } from '../../../../bookie/journal/index.js';
import { appendAll, journalFiles, loggingSync, makeRecords, makeTempDir, openCollecting, plain, removeDir } from './journal-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('journal checkpoint', { timeout: 15_000 }, () => {
  it('deletes files wholly before the checkpoint, and replay starts right after it', async () => {
    const log: string[] = [];
    const journal = await Journal.open(dir, { maxFileBytes: 8192, sync: loggingSync(log) });
    const records = makeRecords(1000);
    const ends = await appendAll(journal, records);
    const mark = ends[599];
    expect(mark.fileId).toBeGreaterThan(3);
    const lastFile = ends[999].fileId;
    // Past half of maxFileBytes the journal creates its next file ahead: wait until every file it
    // created (each: file sync, then directory sync) is complete, so the log below is the checkpoint's.
    const createdAhead = ends[999].offset >= 8192 / 2 ? [journalFileName(lastFile + 1)] : [];
    await waitFor('the file created ahead', () => log.filter((k) => k === 'directory').length === lastFile + createdAhead.length);
    log.length = 0;
    await journal.checkpoint(mark);
    // tmp file fsynced, renamed, then the directory fsynced.
    expect(log).toEqual(['file:start', 'file', 'directory:start', 'directory']);
    expect(journal.checkpointPosition).toEqual(mark);
    const expected = [];
    for (let id = mark.fileId; id <= lastFile; id++) expected.push(journalFileName(id));
    // The covered files are deleted in the background, after checkpoint() resolved.
    await waitFor('covered files deleted', async () => (await journalFiles(dir))[0] === journalFileName(mark.fileId));
    expect(await journalFiles(dir)).toEqual([...expected, ...createdAhead]);
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('checkpoint'))).toEqual(['checkpoint']);
    await journal.close();

    const again = await openCollecting(dir);
    expect(again.records.map(plain)).toEqual(records.slice(600).map(plain));
    expect(again.ends).toEqual(ends.slice(600));
    expect(again.journal.replaySummary.checkpoint).toEqual(mark);
    expect(again.journal.replaySummary.files).toBe(expected.length);
    await again.journal.close();
  });

  it('replays nothing when the checkpoint is at the end, and keeps working after it', async () => {
    const first = await openCollecting(dir);
    const end = await first.journal.appendBatch(makeRecords(20));
    await first.journal.checkpoint(first.journal.syncedPosition);
    expect(first.journal.checkpointPosition).toEqual(end);
    await first.journal.close();

    const second = await openCollecting(dir);
    expect(second.records).toEqual([]);
    const more = makeRecords(3, 50, 100);
    await second.journal.appendBatch(more);
    // Checkpoint at the new file's start (its header): the old file goes.
    await second.journal.checkpoint({ fileId: 2, offset: 20 });
    await waitFor('file 1 deleted', async () => (await journalFiles(dir)).length === 1);
    expect(await journalFiles(dir)).toEqual([journalFileName(2)]);
    await second.journal.close();

    const third = await openCollecting(dir);
    expect(third.records.map(plain)).toEqual(more.map(plain));
    await third.journal.close();
  });

  it('refuses positions that are not durable and never moves backwards', async () => {
    const journal = await Journal.open(dir);
    const a = await journal.append({ type: 'fence', ledgerId: 1 });
    const b = await journal.append({ type: 'fence', ledgerId: 2 });
    await expect(journal.checkpoint({ fileId: 1, offset: b.offset + 17 })).rejects.toBeInstanceOf(InvalidJournalPositionError);
    await expect(journal.checkpoint({ fileId: 2, offset: 20 })).rejects.toBeInstanceOf(InvalidJournalPositionError);
    await expect(journal.checkpoint({ fileId: 1, offset: 3 })).rejects.toBeInstanceOf(InvalidJournalPositionError);
    await journal.checkpoint(b);
    await journal.checkpoint(a);
    expect(journal.checkpointPosition).toEqual(b);
    await journal.close();
    await expect(journal.checkpoint(b)).rejects.toBeInstanceOf(JournalClosedError);
    const again = await Journal.open(dir);
    expect(again.replaySummary).toMatchObject({ checkpoint: b, records: 0 });
    await again.close();
  });

  it('at open removes files a crash left before the checkpoint, and refuses a checkpoint whose file is gone', async () => {
    const journal = await Journal.open(dir, { maxFileBytes: 1024 });
    const ends = await appendAll(journal, makeRecords(200));
    const old = await fs.readFile(path.join(dir, journalFileName(1)));
    const mark = ends[150];
    await journal.checkpoint(mark);
    await journal.close();
    // As if the crash came between the checkpoint's rename and the deletion of file 1.
    await fs.writeFile(path.join(dir, journalFileName(1)), old);
    const again = await openCollecting(dir);
    expect(again.records).toHaveLength(49);
    expect((await journalFiles(dir))[0]).toBe(journalFileName(mark.fileId));
    await again.journal.close();

    await fs.rm(path.join(dir, journalFileName(mark.fileId)));
    await expect(Journal.open(dir)).rejects.toMatchObject({
      name: 'JournalCorruptError',
      file: path.join(dir, journalFileName(mark.fileId)),
      offset: mark.offset,
      reason: 'the journal file named by the checkpoint is missing',
    });
  });
});
