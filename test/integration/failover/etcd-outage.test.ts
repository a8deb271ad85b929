// etcd stopped for 10 s under a producing and acking owner: produce goes on (the bookies take the
// writes), no ack is answered as a success without being persisted, and once etcd is back nothing
// acknowledged is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../../broker/index.js';
import { silentLogger } from '../../../common/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { EtcdCluster } from '../../helpers/etcd-server.js';
import { call } from '../../helpers/broker-harness.js';

describe('etcd outage under an owning broker', () => {
  let etcd: EtcdCluster;
  let cluster: BookieCluster;
  let broker: Broker;
  beforeAll(async () => {
    etcd = await EtcdCluster.start();
    cluster = await BookieCluster.start(2, etcd.endpoints);
    broker = await Broker.start({
      id: 'owner',
      store: cluster.store(),
      ledgers: await cluster.ledgerClient(),
      httpPort: 0,
      sessionTtlMs: 4000,
      managedLedger: { ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 },
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await broker?.stop().catch(() => undefined);
    await cluster?.destroy();
    await etcd?.destroy();
  });

  it('keeps producing, never answers an unpersisted ack, and loses nothing', { timeout: 120_000 }, async () => {
    const url = broker.httpUrl;
    const base = '/v1/topics/public/default/outage';
    await call(url, 'PUT', '/admin/v1/topics/public/default/outage', { partitions: 1 });
    const acknowledged: string[] = [];
    const ackedOk = new Set<string>();
    const outage: { from: number; to: number } = { from: Infinity, to: 0 };
    let producedDuringOutage = 0;
    let acksOkDuringOutage = 0;
    let stop = false;
    let n = 0;
    const producer = (async () => {
      while (!stop) {
        const value = `m${n++}`;
        const res = await call(url, 'POST', `${base}/messages`, { messages: [{ value }] }).catch(() => undefined);
        if (res?.status === 200) {
          acknowledged.push(value);
          if (Date.now() >= outage.from && Date.now() < outage.to) producedDuringOutage++;
        } else await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const consumer = (async () => {
      while (!stop) {
        const got = await call(url, 'POST', `${base}/subscriptions/s/receive`, { max: 50, waitMs: 100 }).catch(() => undefined);
        if (got?.status !== 200 || got.body.messages.length === 0) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const sentAt = Date.now();
        const ack = await call(url, 'POST', `${base}/subscriptions/s/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) }).catch(() => undefined);
        if (ack?.status === 200) {
          for (const m of got.body.messages) ackedOk.add(m.id);
          // An ack sent and answered entirely inside the outage cannot have been persisted.
          if (sentAt > outage.from + 500 && Date.now() < outage.to) acksOkDuringOutage++;
        } else if (ack) {
          expect(ack.status).toBe(503);
          expect(ack.headers.get('retry-after')).not.toBeNull();
        }
      }
    })();
    while (acknowledged.length < 50) await new Promise((r) => setTimeout(r, 20));
    await etcd.kill(0);
    outage.from = Date.now();
    outage.to = outage.from + 10_000;
    await new Promise((r) => setTimeout(r, 10_000));
    await etcd.restart(0);
    const atRestart = acknowledged.length;
    const restartedAt = Date.now();
    while (acknowledged.length < atRestart + 50) {
      if (Date.now() - restartedAt > 45_000) throw new Error(`produce did not resume after etcd returned: ${acknowledged.length - atRestart} acknowledged since; health ${JSON.stringify((await call(url, 'GET', '/healthz')).body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    stop = true;
    await Promise.all([producer, consumer]);
    expect(producedDuringOutage).toBeGreaterThan(0);
    expect(acksOkDuringOutage).toBe(0);
    // Everything acknowledged is in the log; nothing acked is delivered to `s` again.
    const log = new Set<string>();
    for (;;) {
      const got = await call(url, 'POST', `${base}/subscriptions/audit/receive`, { max: 1000, waitMs: 500 });
      if (got.status !== 200 || got.body.messages.length === 0) break;
      for (const m of got.body.messages) log.add(m.value);
      await call(url, 'POST', `${base}/subscriptions/audit/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
    }
    expect(acknowledged.filter((v) => !log.has(v))).toEqual([]);
    const again = await call(url, 'POST', `${base}/subscriptions/s/receive`, { max: 1000, waitMs: 500 });
    expect(again.body.messages.filter((m: { id: string }) => ackedOk.has(m.id))).toEqual([]);
    console.log(`etcd outage: ${producedDuringOutage} produce calls acknowledged during the 10 s outage, ${acksOkDuringOutage} acks answered as success during it; ${acknowledged.length} acknowledged in all, none missing`);
  });
});
