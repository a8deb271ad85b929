// A torn or checksum-failing last record of the last file (or garbage / zeros after it, or a file
// whose creation was interrupted) is cut with a warning, and the journal opens with every earlier
// record; what is appended afterwards replays after them.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JournalCorruptError, journalFileName, type JournalPosition, type JournalRecord } from '../../../../bookie/journal/index.js';
import { encodeJournalHeader } from '../../../../bookie/journal/journal-file-header.js';
import { appendAll, makeRecords, makeTempDir, openCollecting, plain, removeDir } from './journal-test-kit.js';

let dir: string;
let records: JournalRecord[];
let ends: JournalPosition[];
let file: string;

beforeEach(async () => {
  dir = await makeTempDir();
  records = makeRecords(100);
  const journal = await Journal.open(dir);
  ends = await appendAll(journal, records, 10);
  await journal.close();
  file = path.join(dir, journalFileName(1));
  expect((await fs.stat(file)).size).toBe(ends[99].offset);
});
afterEach(async () => {
  await removeDir(dir);
});

/** Opens the journal and checks it replayed records[0..kept) and cut the file at `cutAt`. */
async function expectCut(kept: number, cutAt: number): Promise<void> {
  const opened = await openCollecting(dir);
  expect(opened.records.map(plain)).toEqual(records.slice(0, kept).map(plain));
  expect(opened.ends).toEqual(ends.slice(0, kept));
  expect(opened.journal.replaySummary.truncatedAt).toEqual({ fileId: 1, offset: cutAt });
  expect(opened.warnings).toHaveLength(1);
  expect(opened.warnings[0].message).toBe('cutting torn tail of the journal');
  expect(opened.warnings[0].details).toMatchObject({ file, offset: cutAt });
  expect((await fs.stat(file)).size).toBe(cutAt);

  // The journal works on, and a further restart sees the cut file plus the new records.
  const more = makeRecords(5, 100, 500);
  await Promise.all(more.map((r) => opened.journal.append(r)));
  await opened.journal.close();
  const again = await openCollecting(dir);
  expect(again.records.map(plain)).toEqual([...records.slice(0, kept), ...more].map(plain));
  expect(again.warnings).toEqual([]);
  await again.journal.close();
}

describe('journal replay of a torn tail', { timeout: 15_000 }, () => {
  it('cuts a last record truncated in its payload', async () => {
    await fs.truncate(file, ends[98].offset + 30);
    await expectCut(99, ends[98].offset);
  });

  it('cuts a last record truncated inside its length and checksum', async () => {
    await fs.truncate(file, ends[98].offset + 3);
    await expectCut(99, ends[98].offset);
  });

  it('cuts a last record whose checksum fails', async () => {
    const data = await fs.readFile(file);
    data[ends[99].offset - 1] ^= 0x01;
    await fs.writeFile(file, data);
    await expectCut(99, ends[98].offset);
  });

  it('cuts garbage after the last record', async () => {
    await fs.appendFile(file, Buffer.alloc(5000, 0xab));
    await expectCut(100, ends[99].offset);
  });

  it('cuts a zero-filled tail', async () => {
    await fs.appendFile(file, Buffer.alloc(64 * 1024));
    await expectCut(100, ends[99].offset);
  });

  it('cuts a torn record followed by zeros', async () => {
    const data = await fs.readFile(file);
    const torn = Buffer.concat([data.subarray(0, ends[98].offset + 20), Buffer.alloc(8192)]);
    await fs.writeFile(file, torn);
    await expectCut(99, ends[98].offset);
  });

  it('removes a last file whose header was never completely written', async () => {
    for (const partial of [Buffer.alloc(0), Buffer.from('534a4e4c0001', 'hex'), Buffer.alloc(4096)]) {
      await fs.writeFile(path.join(dir, journalFileName(2)), partial);
      const opened = await openCollecting(dir);
      expect(opened.records.map(plain)).toEqual(records.map(plain));
      expect(opened.warnings.map((w) => w.message)).toEqual(['removing a journal file whose creation was interrupted']);
      // The new file takes the id of the removed one; it is complete now.
      expect(opened.journal.currentFileId).toBe(2);
      await opened.journal.close();
      await fs.rm(path.join(dir, journalFileName(2)));
    }
  });

  it('cuts a torn tail of a file followed only by files created ahead and never written', async () => {
    // The journal creates its next file before the current one is full, and writes to it only after
    // everything before it is synced: an empty later file is no evidence against a torn tail.
    await fs.truncate(file, ends[98].offset + 30);
    await fs.writeFile(path.join(dir, journalFileName(2)), encodeJournalHeader(2));
    await fs.writeFile(path.join(dir, journalFileName(3)), encodeJournalHeader(3).subarray(0, 7));
    const opened = await openCollecting(dir);
    expect(opened.records.map(plain)).toEqual(records.slice(0, 99).map(plain));
    expect(opened.journal.replaySummary.truncatedAt).toEqual({ fileId: 1, offset: ends[98].offset });
    expect(opened.warnings.map((w) => w.message)).toEqual(['cutting torn tail of the journal']);
    expect(opened.journal.currentFileId).toBe(2);
    const more = makeRecords(3, 100, 700);
    await Promise.all(more.map((r) => opened.journal.append(r)));
    await opened.journal.close();
    const again = await openCollecting(dir);
    expect(again.records.map(plain)).toEqual([...records.slice(0, 99), ...more].map(plain));
    expect(again.warnings).toEqual([]);
    await again.journal.close();
  });

  it('refuses a torn tail when a later file holds records, even behind a file created ahead', async () => {
    await fs.truncate(file, ends[98].offset + 30);
    await fs.writeFile(path.join(dir, journalFileName(2)), encodeJournalHeader(2));
    await fs.writeFile(path.join(dir, journalFileName(3)), Buffer.concat([encodeJournalHeader(3), Buffer.alloc(100, 7)]));
    const error = await Journal.open(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as JournalCorruptError).file).toBe(file);
    expect((error as JournalCorruptError).offset).toBe(ends[98].offset);
    expect((error as JournalCorruptError).reason).toContain(`and the later journal file ${path.join(dir, journalFileName(3))} holds records`);
    expect((await fs.stat(file)).size).toBe(ends[98].offset + 30); // nothing was cut
  });
});
