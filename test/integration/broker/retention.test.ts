// Retention deletes whole acknowledged ledgers; a forgotten subscription pins data until it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';

describe('retention and subscription expiry', () => {
  let h: BrokerHarness;
  beforeAll(async () => {
    h = await BrokerHarness.start(1);
  });
  afterAll(() => h?.destroy());

  it('deletes acknowledged ledgers, keeps what an active subscription still needs, and expires idle subscriptions', async () => {
    const broker = await h.broker({
      managedLedger: { ensembleSize: 1, writeQuorum: 1, ackQuorum: 1, maxEntriesPerLedger: 2 },
      retention: { retentionMs: 0, retentionBytes: 0 },
      subscriptionExpiryMs: 60 * 60 * 1000,
      maintenanceIntervalMs: 60 * 60 * 1000,
    });
    const url = broker.httpUrl;
    await call(url, 'PUT', '/admin/v1/topics/public/default/ret', { partitions: 1 });
    // Two subscriptions exist before the data: both must acknowledge it before it can go.
    await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/fast/receive', { max: 1 });
    await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/slow/receive', { max: 1 });
    for (let i = 0; i < 10; i++) await call(url, 'POST', '/v1/topics/public/default/ret/messages', { messages: [{ value: `m${i}` }] });
    const got = await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/fast/receive', { max: 100, waitMs: 200 });
    expect(got.body.messages).toHaveLength(10);
    await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/fast/ack', { ids: got.body.messages.map((m: { id: string }) => m.id) });
    const ledgerIds = async () => (await call(url, 'GET', '/admin/v1/topics/public/default/ret')).body.stats[0].ledgers.map((l: { id: number }) => l.id);
    // A full ledger rolls in the background: wait until the list holds still before comparing lists.
    let before = await ledgerIds();
    await waitFor('ledger list settled', async () => {
      await new Promise((r) => setTimeout(r, 100));
      const now = await ledgerIds();
      const same = JSON.stringify(now) === JSON.stringify(before);
      before = now;
      return same;
    }, { timeoutMs: 10_000 });
    expect(before.length).toBeGreaterThanOrEqual(5);
    // `slow` has acknowledged nothing: nothing may go.
    await broker.maintain();
    expect(await ledgerIds()).toEqual(before);
    // `slow` acknowledges the first four messages: the ledgers holding them go, the rest stay.
    const slow = await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/slow/receive', { max: 4, waitMs: 200 });
    await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/slow/ack', { ids: slow.body.messages.map((m: { id: string }) => m.id) });
    await broker.maintain();
    const after = await ledgerIds();
    expect(after).toEqual(before.slice(2));
    for (const id of before.slice(0, 2)) await expect(h.ledgers.readMetadata(id)).rejects.toThrow(/does not exist/);
    const rest = await call(url, 'POST', '/v1/topics/public/default/ret/subscriptions/slow/receive', { max: 100, waitMs: 200 });
    expect(rest.body.messages.map((m: { value: string }) => m.value)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    await broker.stop();

    // A broker whose subscriptions expire at once: the idle `slow` (nothing in flight after a restart) goes.
    const expiring = await h.broker({
      managedLedger: { ensembleSize: 1, writeQuorum: 1, ackQuorum: 1, maxEntriesPerLedger: 2 },
      retention: { retentionMs: 0, retentionBytes: 0 },
      subscriptionExpiryMs: 1,
      maintenanceIntervalMs: 60 * 60 * 1000,
    });
    await call(expiring.httpUrl, 'GET', '/admin/v1/topics/public/default/ret');
    await call(expiring.httpUrl, 'POST', '/v1/topics/public/default/ret/messages', { messages: [{ value: 'late' }] });
    await new Promise((r) => setTimeout(r, 10));
    await expiring.maintain();
    const stats = (await call(expiring.httpUrl, 'GET', '/admin/v1/topics/public/default/ret')).body.stats[0];
    expect(Object.keys(stats.subscriptions)).toEqual([]);
    expect(stats.ledgers.length).toBeLessThanOrEqual(2);
  });
});
