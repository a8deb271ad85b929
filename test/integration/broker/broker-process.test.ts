// `strata broker` as a real process on etcd and bookie processes: serves the HTTP API, lists itself
// and the bookies, and on SIGTERM closes cleanly and releases its registration.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { keys } from '../../../metadata/index.js';
import { waitFor } from '../../../common/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { freePort } from '../../helpers/free-port.js';
import { spawnTs } from '../../helpers/node-child.js';
import { call } from '../../helpers/broker-harness.js';

describe('strata broker process', () => {
  let cluster: BookieCluster;
  beforeAll(async () => {
    cluster = await BookieCluster.start(2, inject('etcdEndpoints'));
  });
  afterAll(() => cluster?.destroy());

  it('serves produce and receive, lists brokers and bookies, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const binaryPort = await freePort();
    const broker = spawnTs('cli/main.ts', ['broker', '--id', 'b-1', '--http-port', String(port), '--binary-port', String(binaryPort), '--etcd', cluster.etcdEndpoints.join(','), '--etcd-namespace', cluster.namespace], { STRATA_LOG_LEVEL: 'warn' });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor('broker ready', async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, intervalMs: 100 });
      expect((await call(url, 'PUT', '/admin/v1/topics/public/default/p', { partitions: 2 })).status).toBe(201);
      const produced = await call(url, 'POST', '/v1/topics/public/default/p/messages', { messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
      expect(produced.status).toBe(200);
      const got = await call(url, 'POST', '/v1/topics/public/default/p/subscriptions/s/receive', { max: 10, waitMs: 500 });
      expect(got.body.messages.map((m: { value: string }) => m.value).sort()).toEqual(['1', '2']);
      const brokers = await call(url, 'GET', '/admin/v1/brokers');
      expect(brokers.body.brokers).toEqual([{ id: 'b-1', httpUrl: url, binaryUrl: `strata://127.0.0.1:${binaryPort}`, partitions: 2 }]);
      const bookies = await call(url, 'GET', '/admin/v1/bookies');
      expect(bookies.body.bookies.map((b: { id: string }) => b.id).sort()).toEqual(['bookie-1', 'bookie-2']);
      const ownership = await call(url, 'GET', '/admin/v1/ownership');
      expect(ownership.body.ownership).toEqual([
        { topic: 'public/default/p', partition: 0, broker: 'b-1' },
        { topic: 'public/default/p', partition: 1, broker: 'b-1' },
      ]);
      broker.process.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => broker.process.once('exit', r));
      expect(code).toBe(0);
      const store = cluster.store();
      expect(await store.get(keys.broker('b-1'))).toBeUndefined();
      expect((await store.list(keys.ownerships)).entries).toEqual([]);
    } finally {
      await broker.kill('SIGKILL');
    }
  });
});
