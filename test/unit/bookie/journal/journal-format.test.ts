// The on-disk format byte for byte (golden hex), and files with an unknown magic or version, a
// damaged header or a damaged checkpoint are refused with a clear typed error.
import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Journal,
  JournalCorruptError,
  JournalFormatError,
  journalFileName,
} from '../../../../bookie/journal/index.js';
import { makeTempDir, removeDir } from './journal-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

/** Writes one journal file with a fence record through the journal, and returns its path. */
async function oneFile(): Promise<string> {
  const journal = await Journal.open(dir);
  await journal.append({ type: 'fence', ledgerId: 1 });
  await journal.close();
  return path.join(dir, journalFileName(1));
}

async function patch(file: string, offset: number, bytes: number[]): Promise<void> {
  const handle = await fs.open(file, 'r+');
  await handle.write(Buffer.from(bytes), 0, bytes.length, offset);
  await handle.close();
}

describe('journal on-disk format', { timeout: 15_000 }, () => {
  it('names files by zero-padded id', () => {
    expect(journalFileName(42)).toBe('journal-000000000042.log');
    expect(journalFileName(1234567890123)).toBe('journal-1234567890123.log');
  });

  it('writes the documented header and record bytes', async () => {
    const journal = await Journal.open(dir);
    await journal.appendBatch([
      { type: 'fence', ledgerId: 258 },
      { type: 'deleteLedger', ledgerId: 2 ** 40 },
      { type: 'addEntry', ledgerId: 5, entryId: 6, payload: Buffer.from('hi') },
    ]);
    await journal.close();
    const data = await fs.readFile(path.join(dir, journalFileName(1)));
    expect(data.toString('hex')).toBe(
      // header: 'SJNL' | version 1 | reserved | fileId 1 | crc32c
      '534a4e4c' + '0001' + '0000' + '0000000000000001' + '47be1ffb' +
        // FENCE ledger 258: length 9 | crc | type 2 | ledgerId
        '00000009' + 'a4ed5a42' + '02' + '0000000000000102' +
        // DELETE_LEDGER ledger 2^40
        '00000009' + '4d7a0f93' + '03' + '0000010000000000' +
        // ADD_ENTRY ledger 5 entry 6 payload 'hi': length 19 | crc | type 1 | ids | payload
        '00000013' + '188bbe9a' + '01' + '0000000000000005' + '0000000000000006' + '6869',
    );
    expect(data.length).toBe(20 + 17 + 17 + 27);
  });

  it('an add given its payload checksum writes the same bytes as one without', async () => {
    const payload = Buffer.from('a payload of some length, long enough to cross a word or two');
    const journal = await Journal.open(dir);
    await journal.appendBatch([
      { type: 'addEntry', ledgerId: 5, entryId: 6, payload },
      { type: 'addEntry', ledgerId: 5, entryId: 6, payload, payloadCrc: crc32c(payload) },
    ]);
    await journal.close();
    const data = await fs.readFile(path.join(dir, journalFileName(1)));
    const record = 8 + 1 + 16 + payload.length;
    expect(data.length).toBe(20 + 2 * record);
    expect(data.subarray(20 + record).equals(data.subarray(20, 20 + record))).toBe(true);
  });

  it('pins the header checksum (file id 42)', async () => {
    // A real file given the golden header of id 42 (and that name) is accepted as file 42.
    const file = await oneFile();
    await patch(file, 0, [...Buffer.from('534a4e4c00010000000000000000002afe8a3a1e', 'hex')]);
    await fs.rename(file, path.join(dir, journalFileName(42)));
    const journal = await Journal.open(dir);
    expect(journal.replaySummary.records).toBe(1);
    expect(journal.currentFileId).toBe(43);
    await journal.close();
  });

  it('refuses a journal file with an unknown magic', async () => {
    const file = await oneFile();
    await patch(file, 0, [0x50, 0x4b, 0x03, 0x04]);
    const error = await Journal.open(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalFormatError);
    expect((error as JournalFormatError).file).toBe(file);
    expect((error as Error).message).toContain('not a Strata journal file (magic 0x504b0304');
  });

  it('refuses a journal file with an unknown format version', async () => {
    const file = await oneFile();
    await patch(file, 4, [0x00, 0x02]);
    const error = await Journal.open(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalFormatError);
    expect((error as Error).message).toBe(`${file}: unsupported journal format version 2 (this build reads 1)`);
  });

  it('refuses a damaged header and a header naming another file id', async () => {
    const file = await oneFile();
    const original = await fs.readFile(file);
    await patch(file, 12, [0xff]);
    await expect(Journal.open(dir)).rejects.toMatchObject({ name: 'JournalCorruptError', file, offset: 0 });
    await fs.writeFile(file, original);
    await fs.rename(file, path.join(dir, journalFileName(3)));
    const error = await Journal.open(dir).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as Error).message).toContain('header names file id 1, file name says 3');
  });

  it('refuses a checkpoint with an unknown magic or version, or a bad checksum', async () => {
    const journal = await Journal.open(dir);
    const end = await journal.append({ type: 'fence', ledgerId: 1 });
    await journal.checkpoint(end);
    await journal.close();
    const checkpoint = path.join(dir, 'checkpoint');
    const good = await fs.readFile(checkpoint);
    expect(good.subarray(0, 6).toString('hex')).toBe('534a43500001');
    expect(good.length).toBe(28);

    await patch(checkpoint, 0, [0, 0, 0, 0]);
    await expect(Journal.open(dir)).rejects.toMatchObject({ name: 'JournalFormatError', file: checkpoint });
    await fs.writeFile(checkpoint, good);
    await patch(checkpoint, 4, [0, 9]);
    await expect(Journal.open(dir)).rejects.toThrow(/unsupported checkpoint format version 9/);
    await fs.writeFile(checkpoint, good);
    await patch(checkpoint, 20, [0x7f]);
    await expect(Journal.open(dir)).rejects.toMatchObject({ name: 'JournalCorruptError', file: checkpoint, offset: 24 });
    await fs.writeFile(checkpoint, good);
    const reopened = await Journal.open(dir);
    expect(reopened.replaySummary.checkpoint).toEqual(end);
    await reopened.close();
  });
});
