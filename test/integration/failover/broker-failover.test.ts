// Two broker processes: produce and consume through broker A for partitions spread over A and B, then
// kill -9 B. A forwards while B lives, takes the partitions over once B's lease expires, and every
// acknowledged message is received; the log holds none twice (idempotent producer).
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { call } from '../../helpers/broker-harness.js';

describe('broker failover (2 broker processes, kill -9)', () => {
  let cluster: BookieCluster;
  let a: BrokerProcess;
  let b: BrokerProcess;
  beforeAll(async () => {
    cluster = await BookieCluster.start(2, inject('etcdEndpoints'));
    a = await BrokerProcess.create('broker-a', cluster);
    b = await BrokerProcess.create('broker-b', cluster);
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await a?.kill9();
    await b?.kill9();
    await cluster?.destroy();
  });

  it('loses no acknowledged message when the owner dies', { timeout: 120_000 }, async () => {
    const base = '/v1/topics/public/default/fo';
    expect((await call(a.url, 'PUT', '/admin/v1/topics/public/default/fo', { partitions: 4 })).status).toBe(201);
    // The load manager's leader spreads the partitions over A and B; B's die with it.
    const claim = await call(b.url, 'POST', `${base}/messages`, { messages: Array.from({ length: 40 }, (_, i) => ({ key: `warm-${i}`, value: `warm-${i}` })) });
    expect(claim.status).toBe(200);
    const owners = (await call(a.url, 'GET', '/admin/v1/ownership')).body.ownership.map((o: { broker: string }) => o.broker);
    expect([...owners].sort()).toEqual(['broker-a', 'broker-a', 'broker-b', 'broker-b']);

    const acknowledged: string[] = [];
    const received = new Set<string>();
    let killedAt = 0;
    let firstOkAfterKill = 0;
    let stop = false;
    let producerDone = false;
    let seq = 0;
    const producer = (async () => {
      while (!stop) {
        const messages = Array.from({ length: 10 }, () => {
          const s = seq++;
          return { key: `k${s % 13}`, value: `m${s}`, sequenceId: s };
        });
        // Retry the same request (same sequence ids) until it is acknowledged: dedup makes it safe.
        for (const t0 = Date.now(); Date.now() - t0 < 60_000; ) {
          const res = await call(a.url, 'POST', `${base}/messages`, { producer: 'p1', messages }).catch(() => undefined);
          if (res?.status === 200) {
            if (killedAt && !firstOkAfterKill) firstOkAfterKill = Date.now();
            acknowledged.push(...messages.map((m) => m.value));
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    const consumer = (async () => {
      // Until every acknowledged message was delivered (values of an unanswered last request may come too).
      while (!producerDone || !acknowledged.every((v) => received.has(v))) {
        const got = await call(a.url, 'POST', `${base}/subscriptions/work/receive`, { max: 100, waitMs: 200 }).catch(() => undefined);
        if (got?.status !== 200 || got.body.messages.length === 0) {
          if (producerDone && acknowledged.every((v) => received.has(v))) break;
          continue;
        }
        // Delivered is received (at least once); an ack whose answer is lost may still have been persisted.
        for (const m of got.body.messages) received.add(m.value);
        await call(a.url, 'POST', `${base}/subscriptions/work/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) }).catch(() => undefined);
      }
    })();
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 20));
    killedAt = Date.now();
    await b.kill9();
    const atKill = acknowledged.length;
    while (acknowledged.length < atKill + 200) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await producer;
    producerDone = true;
    await Promise.race([consumer, new Promise((r) => setTimeout(r, 60_000))]);
    const missing = acknowledged.filter((v) => !received.has(v));
    expect(missing).toEqual([]);
    const owners2 = (await call(a.url, 'GET', '/admin/v1/ownership')).body.ownership.map((o: { broker: string }) => o.broker);
    expect(owners2).toEqual(['broker-a', 'broker-a', 'broker-a', 'broker-a']);
    // The log holds every acknowledged message exactly once.
    const counts = new Map<string, number>();
    for (;;) {
      const got = await call(a.url, 'POST', `${base}/subscriptions/audit/receive`, { max: 1000, waitMs: 300 });
      if (got.body.messages.length === 0) break;
      for (const m of got.body.messages) counts.set(m.value, (counts.get(m.value) ?? 0) + 1);
      await call(a.url, 'POST', `${base}/subscriptions/audit/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
    }
    for (const v of acknowledged) expect(counts.get(v), v).toBe(1);
    console.log(`broker failover: ${acknowledged.length} messages acknowledged (${atKill} before kill -9 of the owner), all received; unavailability window ${firstOkAfterKill - killedAt} ms (session TTL 2000 ms)`);
  });
});
