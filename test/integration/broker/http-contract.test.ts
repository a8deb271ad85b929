// The HTTP contract (http-api.md) against a broker on real bookie processes and etcd: every route,
// each error status with its code, and the queue semantics of receive/ack/nack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, jsonValue } from '../../../metadata/index.js';
import type { Broker } from '../../../broker/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';

describe('HTTP API contract', () => {
  let h: BrokerHarness;
  let broker: Broker;
  let url: string;
  const topic = (t: string) => `/admin/v1/topics/public/default/${t}`;
  const messages = (t: string) => `/v1/topics/public/default/${t}/messages`;
  const sub = (t: string, s: string, action: string) => `/v1/topics/public/default/${t}/subscriptions/${s}/${action}`;

  beforeAll(async () => {
    h = await BrokerHarness.start(2);
    broker = await h.broker({ bodyLimit: 64 * 1024 });
    url = broker.httpUrl;
  });
  afterAll(() => h?.destroy());

  it('serves health, readiness and metrics', async () => {
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(url, 'GET', '/readyz')).body).toMatchObject({ status: 'ready' });
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('strata_broker_messages_in_total');
  });

  it('creates, lists, describes and deletes topics with the contract statuses', async () => {
    expect((await call(url, 'PUT', topic('orders'), { partitions: 3 })).status).toBe(201);
    expect((await call(url, 'PUT', topic('orders'), { partitions: 3 })).status).toBe(204);
    const conflict = await call(url, 'PUT', topic('orders'), { partitions: 4 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('TOPIC_EXISTS');
    const list = await call(url, 'GET', '/admin/v1/topics/public/default');
    expect(list.body.topics).toContainEqual({ name: 'public/default/orders', partitions: 3 });
    await call(url, 'POST', messages('orders'), { messages: [{ key: 'a', value: 'x' }] });
    const stats = await call(url, 'GET', topic('orders'));
    expect(stats.status).toBe(200);
    expect(stats.body.name).toBe('public/default/orders');
    expect(stats.body.stats).toHaveLength(3);
    expect(stats.body.stats.reduce((s: number, p: { msgIn: number }) => s + p.msgIn, 0)).toBe(1);
    expect(stats.body.stats.some((p: { owner: string | null }) => p.owner === 'broker-1')).toBe(true);
    expect((await call(url, 'DELETE', topic('orders'))).status).toBe(204);
    const gone = await call(url, 'GET', topic('orders'));
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('TOPIC_NOT_FOUND');
    expect((await call(url, 'DELETE', topic('orders'))).status).toBe(404);
    expect((await h.store.list(keys.ownerships)).entries.filter((e) => e.key.includes('/orders/'))).toHaveLength(0);
  });

  it('answers bad input with 4xx and a JSON error body, and changes nothing', async () => {
    const bad = async (method: string, path: string, body: unknown, status: number, code: string, headers?: Record<string, string>) => {
      const res = await call(url, method, path, body, headers);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    };
    await bad('PUT', '/admin/v1/topics/public/default/-bad', { partitions: 1 }, 400, 'INVALID_NAME');
    await bad('PUT', '/admin/v1/topics/public/default/a%20b', { partitions: 1 }, 400, 'INVALID_NAME');
    await bad('PUT', topic('t0'), { partitions: 0 }, 400, 'BAD_REQUEST');
    await bad('PUT', topic('t0'), { partitions: 'two' }, 400, 'BAD_REQUEST');
    await bad('POST', messages('nosuch'), { messages: [{ value: 'x' }] }, 404, 'TOPIC_NOT_FOUND');
    await call(url, 'PUT', topic('t1'), { partitions: 1 });
    await bad('POST', messages('t1'), {}, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [] }, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [{ value: 'x', valueBase64: 'eA==' }] }, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [{}] }, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [{ valueBase64: 'not base64!' }] }, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [{ value: 'x', sequenceId: 1 }] }, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [{ value: 'x', properties: { n: 1 } }] }, 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), { messages: [{ value: 'x'.repeat(100 * 1024) }] }, 413, 'PAYLOAD_TOO_LARGE');
    await bad('POST', messages('t1'), '{"messages": [', 400, 'BAD_REQUEST');
    await bad('POST', messages('t1'), 'hello', 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'text/plain' });
    await bad('POST', sub('t1', 's', 'ack'), { ids: ['garbage'] }, 400, 'BAD_REQUEST');
    await bad('POST', sub('t1', 's', 'ack'), { ids: [] }, 400, 'BAD_REQUEST');
    await bad('POST', sub('t1', '.x', 'receive'), {}, 400, 'INVALID_NAME');
    await bad('POST', sub('t1', 's', 'receive'), { max: 0 }, 400, 'BAD_REQUEST');
    await bad('GET', '/v1/nothing/here', undefined, 404, 'NOT_FOUND');
    // Nothing was stored by any of it.
    const stats = await call(url, 'GET', topic('t1'));
    expect(stats.body.stats[0].msgIn).toBe(0);
  });

  it('keeps per-key order across partitions for a single receiver, and acked messages never come back', async () => {
    await call(url, 'PUT', topic('keys'), { partitions: 3 });
    const sent: Array<{ key: string; value: string }> = [];
    for (let batch = 0; batch < 5; batch++) {
      const msgs = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 5}`, value: `v${batch * 20 + i}` }));
      const res = await call(url, 'POST', messages('keys'), { messages: msgs });
      expect(res.status).toBe(200);
      expect(res.body.results).toHaveLength(20);
      sent.push(...msgs);
    }
    const received: Array<{ id: string; key: string; value: string; partition: number }> = [];
    while (received.length < 100) {
      const res = await call(url, 'POST', sub('keys', 'one', 'receive'), { max: 30, waitMs: 500 });
      expect(res.status).toBe(200);
      expect(res.body.messages.length).toBeGreaterThan(0);
      received.push(...res.body.messages);
    }
    expect(received).toHaveLength(100);
    for (let k = 0; k < 5; k++) {
      const key = `k${k}`;
      expect(received.filter((m) => m.key === key).map((m) => m.value)).toEqual(sent.filter((m) => m.key === key).map((m) => m.value));
      expect(new Set(received.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }
    const acked = await call(url, 'POST', sub('keys', 'one', 'ack'), { ids: received.map((m) => m.id) });
    expect(acked.body).toEqual({ acked: 100 });
    const again = await call(url, 'POST', sub('keys', 'one', 'receive'), { max: 100, waitMs: 300, visibilityMs: 100 });
    expect(again.body.messages).toEqual([]);
    const stats = await call(url, 'GET', topic('keys'));
    for (const p of stats.body.stats) expect(p.subscriptions.one.backlog).toBe(0);
  });

  it('redelivers on nack and after the visibility timeout, counting redeliveries', async () => {
    await call(url, 'PUT', topic('vis'), { partitions: 1 });
    await call(url, 'POST', messages('vis'), { messages: [{ value: 'a' }, { value: 'b' }] });
    const first = await call(url, 'POST', sub('vis', 'q', 'receive'), { max: 10, visibilityMs: 500 });
    expect(first.body.messages.map((m: { value: string }) => m.value)).toEqual(['a', 'b']);
    const [a, b] = first.body.messages;
    expect((await call(url, 'POST', sub('vis', 'q', 'nack'), { ids: [a.id] })).body).toEqual({ nacked: 1 });
    const afterNack = await call(url, 'POST', sub('vis', 'q', 'receive'), { max: 10 });
    expect(afterNack.body.messages.map((m: { id: string; redeliveryCount: number }) => [m.id, m.redeliveryCount])).toEqual([[a.id, 1]]);
    // b stays invisible until its visibility timeout, then comes back.
    const later = await call(url, 'POST', sub('vis', 'q', 'receive'), { max: 10, waitMs: 3000 });
    expect(later.body.messages.map((m: { id: string; redeliveryCount: number }) => [m.id, m.redeliveryCount])).toContainEqual([b.id, 1]);
  });

  it('answers a resent produce as a duplicate with the stored ids', async () => {
    await call(url, 'PUT', topic('dedup'), { partitions: 1 });
    const body = { producer: 'orders-api-1', messages: [0, 1, 2].map((i) => ({ value: `m${i}`, sequenceId: 40 + i })) };
    const first = await call(url, 'POST', messages('dedup'), body);
    expect(first.status).toBe(200);
    expect(first.body.results.every((r: { duplicate?: boolean }) => r.duplicate === undefined)).toBe(true);
    const again = await call(url, 'POST', messages('dedup'), body);
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual(first.body.results.map((r: object) => ({ ...r, duplicate: true })));
    const got = await call(url, 'POST', sub('dedup', 'd', 'receive'), { max: 10, waitMs: 200 });
    expect(got.body.messages.map((m: { value: string }) => m.value)).toEqual(['m0', 'm1', 'm2']);
    // Sequence ids must grow: an overlapping resend is refused, nothing stored.
    const overlap = await call(url, 'POST', messages('dedup'), { producer: 'orders-api-1', messages: [{ value: 'x', sequenceId: 42 }, { value: 'y', sequenceId: 43 }] });
    expect(overlap.status).toBe(207);
    expect(overlap.body.results[0].error.code).toBe('BAD_REQUEST');
  });

  it('rebalances a single broker with no move, and refuses to drain the only broker or an unknown one', async () => {
    await call(url, 'PUT', topic('placed'), { partitions: 2 });
    expect((await call(url, 'POST', messages('placed'), { messages: [{ value: 'a' }, { value: 'b' }] })).status).toBe(200);
    expect(await call(url, 'POST', '/admin/v1/rebalance', {})).toMatchObject({ status: 200, body: { moved: [] } });
    expect(await call(url, 'POST', '/admin/v1/rebalance')).toMatchObject({ status: 200, body: { moved: [] } });
    const only = await call(url, 'POST', '/admin/v1/brokers/broker-1/drain');
    expect(only.status).toBe(409);
    expect(only.body.error.code).toBe('NO_TARGET_BROKER');
    expect((await h.store.list(keys.drainingBrokers)).entries).toEqual([]);
    const unknown = await call(url, 'POST', '/admin/v1/brokers/nobody/drain');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'BROKER_NOT_FOUND', message: 'no live broker nobody' } } });
    expect((await call(url, 'POST', '/admin/v1/rebalance', { partitions: 3 })).status).toBe(400);
  });

  it('answers 207 with per-message errors when some partitions fail, storing the rest', async () => {
    await call(url, 'PUT', topic('partial'), { partitions: 2 });
    // Partition 1 is owned by another (absent) broker: messages for it fail, those for partition 0 succeed.
    const session = await h.store.createSession({ ttlMs: 10_000 });
    await h.store.put(keys.ownership({ topic: 'public/default/partial', partition: 1 }), jsonValue({ brokerId: 'elsewhere' }), { expectedVersion: 'absent', session });
    const keysFor = (p: number) => Array.from({ length: 50 }, (_, i) => `key-${i}`).filter((k) => (require_murmur(k) % 2) === p).slice(0, 2);
    const msgs = [...keysFor(0), ...keysFor(1)].map((k) => ({ key: k, value: k }));
    const res = await call(url, 'POST', messages('partial'), { messages: msgs });
    expect(res.status).toBe(207);
    expect(res.body.results.slice(0, 2).every((r: { id?: string }) => typeof r.id === 'string')).toBe(true);
    expect(res.body.results.slice(2).every((r: { error?: { code: string } }) => r.error !== undefined)).toBe(true);
    await session.close();
  });
});

import { murmur3 } from '../../../protocol/index.js';
function require_murmur(key: string): number {
  return murmur3(Buffer.from(key));
}
