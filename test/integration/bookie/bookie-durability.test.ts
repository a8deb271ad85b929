// A real bookie process killed with kill -9: every add it answered OK is readable afterwards with
// identical bytes; a fence survives the crash; journal tails and corruption follow the replay rules.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BookieStatus } from '../../../protocol/index.js';
import type { BookieClient } from '../../../ledger/index.js';
import { bookieTestKit, payloadFor } from './bookie-harness.js';

async function readAll(client: BookieClient, ledgerId: number, entryId: number): Promise<Buffer | undefined> {
  const res = await client.readEntries({ ledgerId, firstEntryId: entryId, lastEntryId: entryId, maxBytes: 1 << 20 });
  return res.status === BookieStatus.OK ? res.entries[0]!.payload : undefined;
}

/** The newest journal file of a bookie's data directory. */
async function newestJournal(dataDir: string): Promise<string> {
  const dir = path.join(dataDir, 'journal');
  const files = (await fs.readdir(dir)).filter((f) => f.startsWith('journal-')).sort();
  const sized = await Promise.all(files.map(async (f) => ({ f, size: (await fs.stat(path.join(dir, f))).size })));
  const withRecords = sized.filter((x) => x.size > 200);
  return path.join(dir, withRecords[withRecords.length - 1]!.f);
}

describe('bookie durability (real processes, kill -9)', () => {
  const kit = bookieTestKit();
  afterEach(() => kit.cleanup());

  /** Streams adds on three ledgers, kill -9s the bookie after `minAcked` answers, restarts it and reads every answered add back. */
  async function crashAndReadBack(env: NodeJS.ProcessEnv, minAcked: number): Promise<number> {
    const bookie = await kit.bookie({ env });
    await bookie.start();
    const client = await kit.client(bookie);
    const acked: Array<[number, number]> = [];
    let stop = false;
    const writers = [1, 2, 3].map(async (ledgerId) => {
      const inflight = new Set<Promise<void>>();
      for (let entryId = 0; !stop && entryId < 5000; entryId++) {
        const p = client
          .addEntry({ ledgerId, entryId, lac: entryId - 1, payload: payloadFor(ledgerId, entryId) })
          .then((res) => {
            if (res.status === BookieStatus.OK) acked.push([ledgerId, entryId]);
          })
          .catch(() => undefined)
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 32) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    });
    while (acked.length < minAcked) await new Promise((r) => setTimeout(r, 5));
    await bookie.kill9();
    stop = true;
    await Promise.all(writers);
    const answered = acked.length;
    expect(answered).toBeGreaterThanOrEqual(minAcked);

    await bookie.start();
    const after = await kit.client(bookie);
    for (const [ledgerId, entryId] of acked) {
      const got = await readAll(after, ledgerId, entryId);
      expect(got, `ledger ${ledgerId} entry ${entryId}`).toBeDefined();
      expect(got!.equals(payloadFor(ledgerId, entryId)), `bytes of ${ledgerId}:${entryId}`).toBe(true);
    }
    return answered;
  }

  it('every add answered OK before kill -9 is readable after restart, byte for byte', async () => {
    const answered = await crashAndReadBack({}, 600);
    console.log(`bookie crash test: ${answered} adds answered before kill -9, all ${answered} read back identical`);
  });

  it('the same while the journal rotates every 256 KiB to files created ahead', async () => {
    // Payloads average 32 KiB: 1,000 answers span over a hundred journal files, and the kill lands
    // while a file is being filled, synced, created ahead or deleted after a checkpoint.
    const answered = await crashAndReadBack({ STRATA_BOOKIE_JOURNAL_MAX_FILE_BYTES: String(256 * 1024), STRATA_BOOKIE_CHECKPOINT_INTERVAL_MS: '50' }, 1000);
    console.log(`bookie crash test (256 KiB journal files): ${answered} adds answered before kill -9, all ${answered} read back identical`);
  });

  it('a fence is answered after every add received before it is synced and applied', async () => {
    const bookie = await kit.bookie();
    await bookie.start();
    const client = await kit.client(bookie);
    // 300 adds pipelined on one connection, the fence right behind them: the bookie receives it last.
    const adds = Array.from({ length: 300 }, (_, e) => client.addEntry({ ledgerId: 11, entryId: e, lac: e - 1, payload: payloadFor(11, e, 2000) }));
    const fenced = await client.fence(11);
    expect((await Promise.all(adds)).map((r) => r.status)).toEqual(Array<number>(300).fill(BookieStatus.OK));
    expect(fenced.status).toBe(BookieStatus.OK);
    expect(fenced.lac).toBe(298); // the LAC the last add carried: every add was applied before the answer
    for (const e of [0, 150, 299]) expect((await readAll(client, 11, e))!.equals(payloadFor(11, e, 2000))).toBe(true);
    expect((await client.addEntry({ ledgerId: 11, entryId: 300, lac: 299, payload: payloadFor(11, 300, 10) })).status).toBe(BookieStatus.FENCED);
  });

  it('a fence survives kill -9: normal adds stay refused, recovery adds are accepted', async () => {
    const bookie = await kit.bookie();
    await bookie.start();
    let client = await kit.client(bookie);
    for (let e = 0; e < 10; e++) expect((await client.addEntry({ ledgerId: 7, entryId: e, lac: e - 1, payload: payloadFor(7, e, 64) })).status).toBe(BookieStatus.OK);
    const fenced = await client.fence(7);
    expect(fenced.status).toBe(BookieStatus.OK);
    expect(fenced.lac).toBe(8);
    expect((await client.addEntry({ ledgerId: 7, entryId: 10, lac: 9, payload: payloadFor(7, 10, 64) })).status).toBe(BookieStatus.FENCED);
    // A fence on a ledger this bookie never saw is recorded too.
    expect((await client.fence(99)).status).toBe(BookieStatus.OK);
    await bookie.kill9();
    await bookie.start();
    client = await kit.client(bookie);
    expect((await client.addEntry({ ledgerId: 7, entryId: 10, lac: 9, payload: payloadFor(7, 10, 64) })).status).toBe(BookieStatus.FENCED);
    expect((await client.addEntry({ ledgerId: 99, entryId: 0, lac: -1, payload: payloadFor(99, 0, 64) })).status).toBe(BookieStatus.FENCED);
    expect((await client.addEntry({ ledgerId: 7, entryId: 10, lac: 9, payload: payloadFor(7, 10, 64), recovery: true })).status).toBe(BookieStatus.OK);
    expect((await readAll(client, 7, 10))?.equals(payloadFor(7, 10, 64))).toBe(true);
    // An identical resend is a success; different bytes for a stored entry are refused.
    expect((await client.addEntry({ ledgerId: 7, entryId: 10, lac: 9, payload: payloadFor(7, 10, 64), recovery: true })).status).toBe(BookieStatus.OK);
    expect((await client.addEntry({ ledgerId: 7, entryId: 10, lac: 9, payload: payloadFor(8, 10, 64), recovery: true })).status).toBe(BookieStatus.ENTRY_EXISTS_DIFFERENT);
  });

  it('cuts a torn journal tail at restart, and refuses to start on corruption followed by valid records', async () => {
    const bookie = await kit.bookie();
    await bookie.start();
    let client = await kit.client(bookie);
    for (let e = 0; e < 50; e++) expect((await client.addEntry({ ledgerId: 3, entryId: e, lac: e - 1, payload: payloadFor(3, e, 500) })).status).toBe(BookieStatus.OK);
    await bookie.kill9();
    // A torn last record: the first bytes of a record whose length runs past the end.
    const journal = await newestJournal(bookie.dataDir);
    await fs.appendFile(journal, Buffer.from([0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef, 1, 0, 0]));
    await bookie.start();
    client = await kit.client(bookie);
    for (let e = 0; e < 50; e++) expect((await readAll(client, 3, e))?.equals(payloadFor(3, e, 500))).toBe(true);
    for (let e = 50; e < 60; e++) expect((await client.addEntry({ ledgerId: 3, entryId: e, lac: e - 1, payload: payloadFor(3, e, 500) })).status).toBe(BookieStatus.OK);
    await bookie.kill9();
    // Corruption in the middle: flip a payload byte of the first record of the newest journal file.
    const corrupt = await newestJournal(bookie.dataDir);
    const bytes = await fs.readFile(corrupt);
    bytes[20 + 9 + 16 + 100] ^= 0x5a;
    await fs.writeFile(corrupt, bytes);
    const failed = await bookie.startExpectingFailure();
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/corrupt/i);
    expect(failed.output).toContain(path.basename(corrupt));
    expect(failed.output).toMatch(/offset/i);
  });
});
