// Tiering through the broker: closed ledgers move to the object store, their bookie copies are
// deleted, consumers still read every message, and deleting the topic deletes the objects.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDirectoryObjectStore } from '../../../objectstore/index.js';
import { waitFor } from '../../../common/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';

describe('broker tiering', () => {
  let h: BrokerHarness;
  let dir: string;
  beforeAll(async () => {
    h = await BrokerHarness.start(1);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-broker-tiering-'));
  });
  afterAll(async () => {
    await h?.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('offloads closed ledgers, deletes the bookie copies, serves reads from the object store, and deletes objects with the topic', async () => {
    const objects = await LocalDirectoryObjectStore.open({ root: dir });
    const broker = await h.broker({
      managedLedger: { ensembleSize: 1, writeQuorum: 1, ackQuorum: 1, maxEntriesPerLedger: 3 },
      tiering: { objects, policy: { minAgeMs: 0 }, gracePeriodMs: 0 },
      maintenanceIntervalMs: 60 * 60 * 1000,
    });
    const url = broker.httpUrl;
    const base = '/v1/topics/public/default/tiered';
    await call(url, 'PUT', '/admin/v1/topics/public/default/tiered', { partitions: 1 });
    for (let i = 0; i < 12; i++) await call(url, 'POST', `${base}/messages`, { messages: [{ value: `m${i}`, key: 'k' }] });
    const ledgerIds = (await call(url, 'GET', '/admin/v1/topics/public/default/tiered')).body.stats[0].ledgers.filter((l: { state: string }) => l.state === 'CLOSED').map((l: { id: number }) => l.id);
    expect(ledgerIds.length).toBeGreaterThanOrEqual(3);
    await waitFor(
      'every closed ledger offloaded and its bookie copies deleted',
      async () => {
        await broker.maintain();
        const metas = await Promise.all(ledgerIds.map((id: number) => h.ledgers.readMetadata(id)));
        return metas.every((m) => m.metadata.offload?.localCopiesDeletedAt !== undefined);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // The tiering lag drains to nothing (a ledger closed meanwhile is offloaded too).
    await waitFor('tiering lag 0', async () => {
      await broker.maintain();
      return (await call(url, 'GET', '/healthz')).body.tiering.waiting === 0;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    // The bookie no longer has them; a new subscription still reads every message in order.
    const [bookieId] = (await h.ledgers.readMetadata(ledgerIds[0])).metadata.fragments[0]!.ensemble;
    const res = await (await h.ledgers.pool.get(bookieId!)).readEntries({ ledgerId: ledgerIds[0], firstEntryId: 0, lastEntryId: 0, maxBytes: 1000 });
    expect(res.status).toBe(1 /* NO_SUCH_LEDGER */);
    const got = await call(url, 'POST', `${base}/subscriptions/late/receive`, { max: 100, waitMs: 500 });
    expect(got.body.messages.map((m: { value: string }) => m.value)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    const stats = (await call(url, 'GET', '/admin/v1/topics/public/default/tiered')).body.stats[0];
    expect(stats.ledgers.filter((l: { offloaded: boolean }) => l.offloaded).length).toBeGreaterThanOrEqual(ledgerIds.length);
    // Deleting the topic deletes the objects.
    const objectsBefore = [];
    for await (const o of objects.list('')) objectsBefore.push(o.key);
    expect(objectsBefore.length).toBeGreaterThanOrEqual(ledgerIds.length);
    expect((await call(url, 'DELETE', '/admin/v1/topics/public/default/tiered')).status).toBe(204);
    const objectsAfter = [];
    for await (const o of objects.list('')) objectsAfter.push(o.key);
    expect(objectsAfter).toEqual([]);
    await objects.close();
  });
});
