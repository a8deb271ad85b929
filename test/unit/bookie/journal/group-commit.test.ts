// Group commit: concurrent appends share syncs, an append never resolves before the sync that
// covers it, one sync is in flight at a time, batches respect maxBatchBytes, and a failed sync
// breaks the journal for every pending and later append.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../common/index.js';
import {
  Journal,
  JournalFailedError,
  JournalOverloadedError,
  type JournalPosition,
  type JournalSyncStats,
  type SyncFunction,
} from '../../../../bookie/journal/index.js';
import { FailingSync, GatedSync, appendAll, FailingFileSyncs, makeRecords, makeTempDir, openCollecting, realSync, removeDir, settle } from './journal-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const entry = (entryId: number, size = 1024) => ({ type: 'addEntry' as const, ledgerId: 7, entryId, payload: Buffer.alloc(size, entryId) });

describe('group commit', { timeout: 15_000 }, () => {
  it('batches concurrent appends into far fewer syncs than appends', async () => {
    const stats: JournalSyncStats[] = [];
    const journal = await Journal.open(dir, { onSync: (s) => stats.push(s) });
    const pending: Promise<JournalPosition>[] = [];
    // 1000 appends arriving in 20 waves while syncs are in flight.
    for (let wave = 0; wave < 20; wave++) {
      for (let i = 0; i < 50; i++) pending.push(journal.append(entry(wave * 50 + i)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    await journal.close();
    expect(stats.reduce((n, s) => n + s.records, 0)).toBe(1000);
    expect(stats.reduce((n, s) => n + s.bytes, 0)).toBe(1000 * (25 + 1024));
    expect(stats.length).toBeLessThanOrEqual(21);
    expect(stats.length).toBeLessThan(1000 / 10);
    for (const s of stats) {
      expect(s.syncMicros).toBeGreaterThanOrEqual(0);
      expect(s.writeMicros).toBeGreaterThanOrEqual(0);
    }
  });

  it('bounds each write+sync by maxBatchBytes', async () => {
    const stats: JournalSyncStats[] = [];
    const journal = await Journal.open(dir, { maxBatchBytes: 256 * 1024, onSync: (s) => stats.push(s) });
    await Promise.all(Array.from({ length: 64 }, (_, i) => journal.append(entry(i, 64 * 1024))));
    await journal.close();
    // A record is 65,561 bytes: three fit in 256 KiB, four do not. 64 = 21 × 3 + 1.
    expect(stats.map((s) => s.records)).toEqual([...Array<number>(21).fill(3), 1]);
    for (const s of stats) expect(s.bytes).toBeLessThanOrEqual(256 * 1024);
  });

  it('resolves an append only after its sync, and runs one sync at a time', async () => {
    const gated = new GatedSync();
    const stats: JournalSyncStats[] = [];
    const journal = await Journal.open(dir, { sync: gated.sync, onSync: (s) => stats.push(s) });
    const file = path.join(dir, 'journal-000000000001.log');
    let firstDone = false;
    const first = journal.append(entry(0)).then((p) => {
      firstDone = true;
      return p;
    });
    await waitFor('first sync to start', () => gated.gates.length === 1);
    // The bytes are written, but the sync has not finished: no acknowledgement yet.
    expect((await fs.stat(file)).size).toBe(20 + 1049);
    const later = [journal.append(entry(1)), journal.append(entry(2)), journal.append(entry(3))];
    await settle(10);
    expect(firstDone).toBe(false);
    expect(gated.gates.length).toBe(1);
    expect(journal.syncedPosition).toEqual({ fileId: 1, offset: 20 });

    gated.open(0);
    expect(await first).toEqual({ fileId: 1, offset: 20 + 1049 });
    await waitFor('second sync to start', () => gated.gates.length === 2);
    gated.open(1);
    expect(await Promise.all(later)).toEqual([2, 3, 4].map((n) => ({ fileId: 1, offset: 20 + n * 1049 })));
    expect(gated.maxInFlight).toBe(1);
    expect(stats.map((s) => s.records)).toEqual([1, 3]);
    await journal.close();
  });

  it('writes the next batch while a sync is in flight, and acknowledges it only after its own sync', async () => {
    const gated = new GatedSync();
    const journal = await Journal.open(dir, { sync: gated.sync });
    const file = path.join(dir, 'journal-000000000001.log');
    const first = journal.append(entry(0));
    await waitFor('first sync to start', () => gated.gates.length === 1);
    let secondDone = false;
    const second = journal.appendBatch([entry(1), entry(2)]).then((p) => {
      secondDone = true;
      return p;
    });
    // The second batch reaches the file while the first one's sync is still held...
    await waitFor('second batch written', async () => (await fs.stat(file)).size === 20 + 3 * 1049);
    await settle(10);
    // ...but its own sync waits for the first to finish, and nothing of it is acknowledged.
    expect(gated.gates.length).toBe(1);
    expect(secondDone).toBe(false);
    expect(journal.syncedPosition).toEqual({ fileId: 1, offset: 20 });
    gated.open(0);
    expect(await first).toEqual({ fileId: 1, offset: 20 + 1049 });
    await settle(10);
    expect(secondDone).toBe(false);
    await waitFor('second sync to start', () => gated.gates.length === 2);
    gated.open(1);
    expect(await second).toEqual({ fileId: 1, offset: 20 + 3 * 1049 });
    expect(gated.maxInFlight).toBe(1);
    await journal.close();
  });

  it('rejects a batch written ahead when the sync before it fails', async () => {
    const failing = new FailingSync();
    const journal = await Journal.open(dir, { sync: failing.sync });
    const file = path.join(dir, 'journal-000000000001.log');
    const inFlight = journal.append(entry(0));
    await waitFor('sync to start', () => failing.dataSyncs === 1);
    const ahead = journal.append(entry(1));
    await waitFor('second batch written', async () => (await fs.stat(file)).size === 20 + 2 * 1049);
    const queued = journal.append(entry(2));
    failing.release();
    const error = await inFlight.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalFailedError);
    await expect(ahead).rejects.toBe(error);
    await expect(queued).rejects.toBe(error);
    await settle(10);
    expect(failing.dataSyncs).toBe(1);
    await journal.close();
  });

  it('writes nothing to the next file until every record of the current one is synced', async () => {
    const gated = new GatedSync();
    const journal = await Journal.open(dir, { sync: gated.sync, maxFileBytes: 4096 });
    const first = journal.appendBatch([0, 1, 2, 3].map((i) => entry(i, 1000))); // 20 + 4 × 1025 ≥ 4096: file 1 is full
    await waitFor('first sync to start', () => gated.gates.length === 1);
    const fifth = journal.append(entry(4, 1000));
    const second = path.join(dir, 'journal-000000000002.log');
    // File 2 was created ahead (file 1 is past half), but the record for it waits for file 1's sync.
    await waitFor('file 2 created ahead', async () => (await fs.stat(second).catch(() => undefined))?.size === 20);
    await settle(20);
    expect((await fs.stat(second)).size).toBe(20);
    expect(gated.gates.length).toBe(1);
    gated.open(0);
    expect(await first).toEqual({ fileId: 1, offset: 20 + 4 * 1025 });
    await waitFor('second sync to start', () => gated.gates.length === 2);
    expect((await fs.stat(second)).size).toBe(20 + 1025);
    gated.open(1);
    expect(await fifth).toEqual({ fileId: 2, offset: 20 + 1025 });
    await journal.close();
  });

  it('creates a file again at rotation when creating it ahead failed once', async () => {
    const flaky = new FailingFileSyncs((n) => n === 2, Object.assign(new Error('ENOSPC: no space left on device, fsync'), { code: 'ENOSPC' }));
    const journal = await Journal.open(dir, { sync: flaky.sync, maxFileBytes: 4096 });
    const ends = await appendAll(journal, Array.from({ length: 10 }, (_, i) => entry(i, 1000)), 1);
    expect(ends.map((p) => p.fileId)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(flaky.fileSyncs).toBeGreaterThanOrEqual(4); // file 1; file 2 failed, then again; file 3
    await journal.close();
    const again = await openCollecting(dir);
    expect(again.records.map((r) => (r.type === 'addEntry' ? r.entryId : -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await again.journal.close();
  });

  it('fails for good when the next file cannot be created, keeping what was acknowledged', async () => {
    const failing = new FailingFileSyncs((n) => n >= 2, Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    const journal = await Journal.open(dir, { sync: failing.sync, maxFileBytes: 4096 });
    const acked = await appendAll(journal, [0, 1, 2, 3].map((i) => entry(i, 1000)), 1);
    expect(acked.map((p) => p.fileId)).toEqual([1, 1, 1, 1]);
    const error = await journal.append(entry(4, 1000)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalFailedError);
    expect((error as JournalFailedError).cause).toMatchObject({ code: 'EIO' });
    await expect(journal.append(entry(5))).rejects.toBe(error);
    await journal.close();
    const again = await openCollecting(dir);
    expect(again.records.map((r) => (r.type === 'addEntry' ? r.entryId : -1))).toEqual([0, 1, 2, 3]);
    await again.journal.close();
  });

  it('removes a file still being created ahead when it closes', async () => {
    let release: () => void = () => undefined;
    let creating = false;
    const held: SyncFunction = async (handle, kind) => {
      if (kind === 'file' && creating) await new Promise<void>((resolve) => (release = resolve));
      if (kind === 'file') creating = true; // every file after the first one is created ahead
      return realSync(handle, kind);
    };
    const journal = await Journal.open(dir, { sync: held, maxFileBytes: 4096 });
    await journal.appendBatch([0, 1].map((i) => entry(i, 1000))); // past half: file 2 is being created
    await waitFor('file 2 being created', async () => (await fs.readdir(dir)).includes('journal-000000000002.log'));
    const closed = journal.close();
    await settle(10);
    release();
    await closed;
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('journal-'))).toEqual(['journal-000000000001.log']);
  });

  it('record() resolves once durable, with one promise shared by the records of a batch', async () => {
    const gated = new GatedSync();
    const journal = await Journal.open(dir, { sync: gated.sync });
    const a = journal.record(entry(0));
    const b = journal.record(entry(1));
    expect(a).toBe(b);
    let done = false;
    void a.then(() => (done = true));
    await waitFor('sync to start', () => gated.gates.length === 1);
    await settle(10);
    expect(done).toBe(false);
    gated.open(0);
    await a;
    expect(journal.syncedPosition).toEqual({ fileId: 1, offset: 20 + 2 * 1049 });
    await expect(journal.record({ type: 'addEntry', ledgerId: -1, entryId: 0, payload: Buffer.alloc(1) })).rejects.toThrow(/ledgerId must be a non-negative safe integer/);
    await journal.close();
  });

  it('waits up to maxDelayMs to gather a batch that is not full', async () => {
    const stats: JournalSyncStats[] = [];
    const journal = await Journal.open(dir, { maxDelayMs: 300, onSync: (s) => stats.push(s) });
    const a = journal.append(entry(0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = journal.append(entry(1));
    await Promise.all([a, b]);
    expect(stats.map((s) => s.records)).toEqual([2]);
    // A full batch does not wait.
    const started = performance.now();
    await journal.append(entry(10, 1024 * 1024));
    expect(performance.now() - started).toBeLessThan(250);
    expect(stats.map((s) => s.records)).toEqual([2, 1]);
    await journal.close();
  });

  it('after a failed sync rejects the batch in flight, everything queued and every later append', async () => {
    const failing = new FailingSync();
    const journal = await Journal.open(dir, { sync: failing.sync });
    const inFlight = journal.append(entry(0));
    await waitFor('sync to start', () => failing.dataSyncs === 1);
    const queued = journal.appendBatch([entry(1), entry(2)]);
    failing.release();
    const error = await inFlight.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(JournalFailedError);
    expect((error as JournalFailedError).cause).toMatchObject({ code: 'EIO' });
    expect((error as JournalFailedError).retriable).toBe(false);
    await expect(queued).rejects.toBe(error);
    await expect(journal.append(entry(3))).rejects.toBe(error);
    await expect(journal.appendBatch([])).rejects.toBe(error);
    expect(journal.failure).toBe(error);
    await settle(10);
    expect(failing.dataSyncs).toBe(1); // never retried
    await journal.close();
  });

  it('refuses appends with a retriable error once maxPendingBytes wait for a sync', async () => {
    const gated = new GatedSync();
    const journal = await Journal.open(dir, { sync: gated.sync, maxPendingBytes: 3000 });
    const a = journal.append(entry(0)); // 1049 bytes
    const b = journal.append(entry(1)); // 2098 pending
    const refused = await journal.append(entry(2, 1000)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(JournalOverloadedError);
    expect((refused as JournalOverloadedError).retriable).toBe(true);
    expect(journal.pendingBytes).toBe(2098);
    await waitFor('sync to start', () => gated.gates.length === 1);
    gated.open(0);
    await Promise.all([a, b]);
    expect(journal.pendingBytes).toBe(0);
    const c = journal.append(entry(2, 1000));
    await waitFor('sync to start', () => gated.gates.length === 2);
    gated.open(1);
    await c;
    await journal.close();
    const again = await openCollecting(dir);
    expect(again.records.map((r) => (r.type === 'addEntry' ? r.entryId : -1))).toEqual([0, 1, 2]);
    await again.journal.close();
  });

  it('keeps working when the stats hook throws', async () => {
    const warnings: string[] = [];
    const journal = await Journal.open(dir, {
      onSync: () => {
        throw new Error('metrics broke');
      },
      logger: { warn: (_d, message) => warnings.push(message) },
    });
    await journal.appendBatch(makeRecords(5));
    await journal.append(entry(99));
    expect(warnings).toEqual(['journal onSync hook threw', 'journal onSync hook threw']);
    await journal.close();
  });
});
