// Restarting the broker keeps topics, messages and subscription positions, and an entry acked message
// by message never acks a neighbour early.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';
import { waitFor } from '../../../common/index.js';

describe('restart of the broker and the bookies', () => {
  let h: BrokerHarness;
  beforeAll(async () => {
    h = await BrokerHarness.start(2);
  });
  afterAll(() => h?.destroy());

  it('keeps topics, messages and positions; acking one message of a batch leaves its neighbours unacked', async () => {
    const a = await h.broker();
    let url = a.httpUrl;
    await call(url, 'PUT', '/admin/v1/topics/public/default/persist', { partitions: 1 });
    const produced = await call(url, 'POST', '/v1/topics/public/default/persist/messages', { messages: [{ value: 'one' }, { value: 'two' }, { value: 'three' }] });
    const ids = produced.body.results.map((r: { id: string }) => r.id);
    const got = await call(url, 'POST', '/v1/topics/public/default/persist/subscriptions/s/receive', { max: 10 });
    expect(got.body.messages.map((m: { id: string }) => m.id)).toEqual(ids);
    // The three messages share one entry (one batch); ack only the middle one.
    expect(new Set(ids.map((id: string) => id.slice(0, 24))).size).toBe(1);
    expect((await call(url, 'POST', '/v1/topics/public/default/persist/subscriptions/s/ack', { ids: [ids[1]] })).body).toEqual({ acked: 1 });
    await a.stop();
    // Every process restarts: the bookies too (gracefully here; the standalone crash test kills them).
    for (const bookie of h.cluster.bookies) await bookie.stop();
    for (const bookie of h.cluster.bookies) await bookie.start();
    await waitFor('bookies registered again', () => h.ledgers.registry.live().length === h.cluster.bookies.length, { timeoutMs: 20_000 });

    const b = await h.broker();
    url = b.httpUrl;
    expect((await call(url, 'GET', '/admin/v1/topics/public/default')).body.topics).toContainEqual({ name: 'public/default/persist', partitions: 1 });
    const after = await call(url, 'POST', '/v1/topics/public/default/persist/subscriptions/s/receive', { max: 10, waitMs: 500 });
    expect(after.body.messages.map((m: { value: string }) => m.value)).toEqual(['one', 'three']);
    expect(after.body.messages.map((m: { id: string }) => m.id)).toEqual([ids[0], ids[2]]);
    await call(url, 'POST', '/v1/topics/public/default/persist/subscriptions/s/ack', { ids: [ids[0], ids[2]] });
    await call(url, 'POST', '/v1/topics/public/default/persist/messages', { messages: [{ value: 'four' }] });
    const fresh = await call(url, 'POST', '/v1/topics/public/default/persist/subscriptions/s/receive', { max: 10, waitMs: 500 });
    expect(fresh.body.messages.map((m: { value: string }) => m.value)).toEqual(['four']);
    // A new subscription starts at the earliest message.
    const audit = await call(url, 'POST', '/v1/topics/public/default/persist/subscriptions/audit/receive', { max: 10, waitMs: 500 });
    expect(audit.body.messages.map((m: { value: string }) => m.value)).toEqual(['one', 'two', 'three', 'four']);
  });
});
