// Damage followed by valid records (in the same file or because a later file exists), a missing
// file, or a record whose checksum holds but whose type is unknown stops replay with a
// JournalCorruptError naming the file and offset — and nothing is cut.
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JournalCorruptError, journalFileName, type JournalPosition } from '../../../../bookie/journal/index.js';
import { appendAll, journalFiles, makeRecords, makeTempDir, removeDir } from './journal-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

async function write(count: number, maxFileBytes?: number): Promise<JournalPosition[]> {
  const journal = await Journal.open(dir, { maxFileBytes });
  const ends = await appendAll(journal, makeRecords(count), 10);
  await journal.close();
  return ends;
}

/** Opens the journal expecting corruption at `file`/`offset`; checks no file was changed. */
async function expectCorrupt(file: string, offset: number, reason: RegExp): Promise<void> {
  const before = await snapshot();
  const error = await Journal.open(dir).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(JournalCorruptError);
  const corrupt = error as JournalCorruptError;
  expect(corrupt.file).toBe(file);
  expect(corrupt.offset).toBe(offset);
  expect(corrupt.reason).toMatch(reason);
  expect(corrupt.message).toContain(`${file} at offset ${offset}`);
  expect(corrupt.retriable).toBe(false);
  expect(await snapshot()).toEqual(before);
}

/** A pattern matching `text` exactly (a path's dots included). */
function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

async function snapshot(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of await fs.readdir(dir)) files[name] = (await fs.readFile(path.join(dir, name))).toString('hex');
  return files;
}

describe('journal replay of corruption', { timeout: 15_000 }, () => {
  it('refuses a flipped byte in a middle record followed by valid records', async () => {
    const ends = await write(100);
    const file = path.join(dir, journalFileName(1));
    const data = await fs.readFile(file);
    data[ends[49].offset + 12] ^= 0x40; // inside record 50 (starts where record 49 ends)
    await fs.writeFile(file, data);
    await expectCorrupt(file, ends[49].offset, /checksum mismatch, followed by a valid record at offset \d+/);
  });

  it('refuses an impossible length in a middle record', async () => {
    const ends = await write(100);
    const file = path.join(dir, journalFileName(1));
    const data = await fs.readFile(file);
    data.writeUInt32BE(0xfffffff0, ends[70].offset);
    await fs.writeFile(file, data);
    await expectCorrupt(file, ends[70].offset, /impossible record length 4294967280/);
  });

  it('refuses a torn last record of a file when a later file exists', async () => {
    const ends = await write(300, 4096);
    const lastOfFirst = ends.filter((p) => p.fileId === 1).at(-1) as JournalPosition;
    const previous = ends[ends.indexOf(lastOfFirst) - 1];
    const file = path.join(dir, journalFileName(1));
    await fs.truncate(file, lastOfFirst.offset - 1);
    await expectCorrupt(file, previous.offset, literally(`and the later journal file ${path.join(dir, journalFileName(2))} holds records`));
  });

  it('refuses garbage after the last record of a file that is not the last', async () => {
    await write(300, 4096);
    const file = path.join(dir, journalFileName(2));
    const size = (await fs.stat(file)).size;
    await fs.appendFile(file, Buffer.alloc(100));
    await expectCorrupt(file, size, literally(`and the later journal file ${path.join(dir, journalFileName(3))} holds records`));
  });

  it('refuses a missing file between others', async () => {
    const ends = await write(300, 4096);
    expect(new Set(ends.map((p) => p.fileId)).size).toBeGreaterThan(3);
    expect((await journalFiles(dir)).length).toBeGreaterThan(3);
    await fs.rm(path.join(dir, journalFileName(2)));
    await expectCorrupt(path.join(dir, journalFileName(2)), 0, /journal file missing between 1 and 3/);
  });

  it('refuses a record with a valid checksum and an unknown type, even at the end', async () => {
    const ends = await write(10);
    const file = path.join(dir, journalFileName(1));
    const record = Buffer.from('0000000300000000090102', 'hex'); // length 3, type 9, body 0102
    record.writeUInt32BE(crc32c(record.subarray(8)), 4);
    await fs.appendFile(file, record);
    await expectCorrupt(file, ends[9].offset, /unknown record type 9 in a record whose checksum is valid/);
  });
});
