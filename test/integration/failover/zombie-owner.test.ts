// A zombie owner: broker B is paused (SIGSTOP) past its lease, broker A takes its partition over, then
// B resumes with requests queued. Whatever B answers with success afterwards must be in the log (a
// produce) or persisted (an ack): fencing and the owner epoch, not timing, decide.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { keys } from '../../../metadata/index.js';
import { waitFor } from '../../../common/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { call } from '../../helpers/broker-harness.js';

describe('zombie owner (SIGSTOP past the lease)', () => {
  let cluster: BookieCluster;
  let a: BrokerProcess;
  let b: BrokerProcess;
  beforeAll(async () => {
    cluster = await BookieCluster.start(2, inject('etcdEndpoints'));
    a = await BrokerProcess.create('broker-a', cluster);
    b = await BrokerProcess.create('broker-b', cluster);
    // B starts alone and so owns what is created first; A joins later to take over.
    await b.start();
  });
  afterAll(async () => {
    if (b?.pid) process.kill(b.pid, 'SIGCONT');
    await a?.kill9();
    await b?.kill9();
    await cluster?.destroy();
  });

  it('gets no produce or ack confirmed by the old owner that is missing afterwards', { timeout: 120_000 }, async () => {
    const base = '/v1/topics/public/default/zombie';
    await call(b.url, 'PUT', '/admin/v1/topics/public/default/zombie', { partitions: 1 });
    const first = await call(b.url, 'POST', `${base}/messages`, { messages: Array.from({ length: 20 }, (_, i) => ({ value: `before-${i}` })) });
    expect(first.status).toBe(200);
    const delivered = await call(b.url, 'POST', `${base}/subscriptions/s/receive`, { max: 20 });
    expect(delivered.body.messages).toHaveLength(20);
    await a.start();
    const store = cluster.store();
    const ownerKey = keys.ownership({ topic: 'public/default/zombie', partition: 0 });

    process.kill(b.pid!, 'SIGSTOP');
    // Requests to the paused owner queue in its socket; they are served when it resumes.
    const zombieProduce = call(b.url, 'POST', `${base}/messages`, { messages: [{ value: 'zombie-produce' }] }).catch((err: Error) => ({ status: 0, body: err.message }));
    const zombieAck = call(b.url, 'POST', `${base}/subscriptions/s/ack`, { ids: delivered.body.messages.slice(0, 10).map((m: { id: string }) => m.id) }).catch((err: Error) => ({ status: 0, body: err.message }));
    await waitFor('the paused owner to lose its lease', async () => (await store.get(ownerKey)) === undefined, { timeoutMs: 20_000, intervalMs: 100 });
    // A takes over and serves.
    const takeover = await waitFor('A serves the partition', async () => {
      const res = await call(a.url, 'POST', `${base}/messages`, { messages: [{ value: 'after-takeover' }] });
      return res.status === 200 ? res : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(takeover.status).toBe(200);
    expect((await call(a.url, 'GET', '/admin/v1/ownership')).body.ownership[0].broker).toBe('broker-a');

    process.kill(b.pid!, 'SIGCONT');
    const [zp, za] = await Promise.all([zombieProduce, zombieAck]);
    // Read the whole log through A, and what the subscription still has to deliver.
    const log: string[] = [];
    for (;;) {
      const got = await call(a.url, 'POST', `${base}/subscriptions/audit/receive`, { max: 1000, waitMs: 300 });
      if (got.body.messages.length === 0) break;
      log.push(...got.body.messages.map((m: { value: string }) => m.value));
      await call(a.url, 'POST', `${base}/subscriptions/audit/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
    }
    if (zp.status === 200) expect(log).toContain('zombie-produce');
    const pending = await call(a.url, 'POST', `${base}/subscriptions/s/receive`, { max: 100, waitMs: 300 });
    const stillPending = pending.body.messages.map((m: { value: string }) => m.value);
    if (za.status === 200) for (let i = 0; i < 10; i++) expect(stillPending).not.toContain(`before-${i}`);
    // Whatever happened, nothing acknowledged before the pause is lost.
    for (let i = 0; i < 20; i++) expect(log).toContain(`before-${i}`);
    expect(log).toContain('after-takeover');
    console.log(`zombie owner: after resuming, the old owner answered produce ${zp.status} and ack ${za.status} ${JSON.stringify(za.body)}; log holds ${log.length} messages; still pending ${stillPending.length}: ${stillPending.join(',')}`);
  });
});
