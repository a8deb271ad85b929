// The chaos suite: a cluster of real processes — etcd (3 members), an S3 server, 3 bookies (E2/Qw2/Qa2) and 3
// brokers tiering to S3 — under a steady idempotent producer (keys over 6 partitions) and a failover
// subscription checked by a SequenceChecker. Faults in turn: kill -9 of a broker, kill -9 of a bookie,
// SIGSTOP of an owning broker past its lease, restart of one etcd member, an object-store outage while
// ledgers are tiered, a graceful drain. After each: every acknowledged message delivered, per-key order,
// every partition served again; at the end the log holds every acknowledged message exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/index.js';
import { connect, SequenceChecker, type Consumer, type Message, type Producer, type StrataClient } from '../../../client/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { BrokerProcess } from '../../helpers/broker-process.js';
import { call } from '../../helpers/broker-harness.js';
import { EtcdCluster } from '../../helpers/etcd-server.js';
import { partitionForKey } from '../../../protocol/index.js';
import { S3RVER_CREDENTIALS, S3RVER_REGION, S3Server, TEST_BUCKET } from '../../helpers/s3-server.js';

const TOPIC = 'public/default/chaos';
const PARTITIONS = 6;
/** Four keys per partition, so every partition carries load. */
const KEYS: string[] = (() => {
  const perPartition = Array.from({ length: PARTITIONS }, () => [] as string[]);
  for (let i = 0; perPartition.some((l) => l.length < 4); i++) {
    const key = `key-${i}`;
    const list = perPartition[partitionForKey(key, PARTITIONS)]!;
    if (list.length < 4) list.push(key);
  }
  return perPartition.flat();
})();
const TTL_MS = 2_000;
/** Time for everything acknowledged to arrive, and for every partition to be served again, after a fault. */
const SETTLE_MS = 90_000;

interface FaultReport {
  fault: string;
  unavailableMs: number;
  acknowledged: number;
  delivered: number;
  duplicates: number;
}

describe('chaos (etcd ×3, S3, 3 bookies, 3 brokers; one fault at a time under load)', () => {
  let etcd: EtcdCluster;
  let s3: S3Server;
  let bookies: BookieCluster;
  const brokers: BrokerProcess[] = [];
  let client: StrataClient;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const checker = new SequenceChecker();
  const reports: FaultReport[] = [];

  // What the load did: acknowledged sends (value → key and partition), their times per partition, and arrivals.
  const acked = new Map<string, { key: string; partition: number; n: number }>();
  const ackTimes: number[][] = Array.from({ length: PARTITIONS }, () => []);
  const delivered = new Set<string>();
  const firstArrivals = new Map<string, number[]>();
  const sendErrors: unknown[] = [];
  let stopLoad = false;
  let load: Promise<void> | undefined;

  beforeAll(async () => {
    etcd = await EtcdCluster.start({ size: 3 });
    s3 = await S3Server.start({ buckets: [TEST_BUCKET] });
    bookies = await BookieCluster.start(3, etcd.endpoints);
    const s3Args = ['--s3-bucket', TEST_BUCKET, '--s3-endpoint', s3.endpoint, '--s3-region', S3RVER_REGION];
    const env = { AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey };
    const args = [...s3Args, '--max-entries-per-ledger', '100', '--maintenance-interval-ms', '1000', '--offload-after-ms', '0', '--load-shedding-interval-ms', '0', '--load-report-interval-ms', '1000'];
    for (const id of ['chaos-1', 'chaos-2', 'chaos-3']) brokers.push(await BrokerProcess.create(id, bookies, args, env));
    await Promise.all(brokers.map((b) => b.start()));
    expect((await call(brokers[0]!.url, 'PUT', `/admin/v1/topics/${TOPIC}`, { partitions: PARTITIONS })).status).toBe(201);

    client = await connect(brokers.map((b) => b.binaryUrl), { operationTimeoutMs: 120_000 });
    producer = await client.producer({ topic: TOPIC, name: 'chaos', batching: { maxMessages: 20, maxDelayMs: 5 }, sendTimeoutMs: 120_000 });
    for (const name of ['reader-a', 'reader-b']) {
      consumers.push(await client.consumer({ topic: TOPIC, subscription: 'audit', type: 'failover', name, initialPosition: 'earliest', receiverQueueSize: 500, interceptors: [checker] }));
    }
    for (const c of consumers) void consume(c);
    load = produce();
  }, 180_000);

  afterAll(async () => {
    stopLoad = true;
    await Promise.race([load, new Promise((r) => setTimeout(r, 10_000))]);
    await client?.close().catch(() => undefined);
    for (const b of brokers) {
      if (b.pid) process.kill(b.pid, 'SIGCONT');
      await b.kill9();
    }
    await bookies?.destroy();
    await s3?.destroy();
    await etcd?.destroy();
    if (reports.length > 0) {
      console.log('chaos summary:');
      for (const r of reports) console.log(`  ${r.fault.padEnd(28)} unavailable ${String(r.unavailableMs).padStart(6)} ms   acknowledged ${r.acknowledged}   delivered ${r.delivered}   duplicates seen by the sequence checker ${r.duplicates}`);
    }
  }, 120_000);

  async function produce(): Promise<void> {
    let n = 0;
    while (!stopLoad) {
      const window = Array.from({ length: 30 }, () => n++);
      await Promise.all(
        window.map(async (i) => {
          const key = KEYS[i % KEYS.length]!;
          const value = `m${i}`;
          try {
            const id = await producer.send({ key, value });
            acked.set(value, { key, partition: id.partition, n: i });
            ackTimes[id.partition]!.push(Date.now());
          } catch (err) {
            sendErrors.push(err);
          }
        }),
      );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function consume(c: Consumer): Promise<void> {
    try {
      for await (const m of c) record(c, m);
    } catch {
      // closed at the end
    }
  }

  function record(c: Consumer, m: Message): void {
    const value = m.value.toString();
    if (!delivered.has(value)) {
      delivered.add(value);
      const list = firstArrivals.get(m.key!) ?? [];
      list.push(Number(value.slice(1)));
      firstArrivals.set(m.key!, list);
    }
    void c.ack(m).catch(() => undefined);
  }

  /** The broker owning the most partitions of the topic now (asked through `via`). */
  async function busiestOwner(via: BrokerProcess): Promise<BrokerProcess> {
    const owned = (await call(via.url, 'GET', '/admin/v1/ownership')).body.ownership as Array<{ topic: string; broker: string }>;
    const counts = new Map<string, number>();
    for (const o of owned) if (o.topic === TOPIC) counts.set(o.broker, (counts.get(o.broker) ?? 0) + 1);
    const [id] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    return brokers.find((b) => b.id === id)!;
  }

  /**
   * Runs one fault under the load and checks the invariants after it: every message acknowledged so far
   * is delivered, each partition acknowledges sends again, the checker saw no gap and no duplicate.
   */
  async function underFault(fault: string, inject: () => Promise<void>): Promise<void> {
    await waitFor(`load running before ${fault}`, () => acked.size >= 200 * (reports.length + 1), { timeoutMs: 60_000, intervalMs: 100 });
    const started = Date.now();
    await inject();
    const recovered = Date.now();
    // every partition acknowledges sends again
    await waitFor(`every partition served after ${fault}`, () => ackTimes.every((t) => t.some((x) => x > recovered)), { timeoutMs: SETTLE_MS, intervalMs: 100 });
    const snapshot = [...acked.keys()];
    await waitFor(`every acknowledged message delivered after ${fault}`, () => snapshot.every((v) => delivered.has(v)), { timeoutMs: SETTLE_MS, intervalMs: 100 });
    const missing = snapshot.filter((v) => !delivered.has(v));
    expect(missing, fault).toEqual([]);
    expect(checker.gaps, fault).toEqual([]);
    expect(checker.duplicates, fault).toEqual([]);
    // per key, first arrivals in send order
    for (const [key, list] of firstArrivals) for (let i = 1; i < list.length; i++) expect(list[i]!, `${fault}: order of ${key}`).toBeGreaterThan(list[i - 1]!);
    let unavailableMs = 0;
    for (const times of ackTimes) {
      let prev = times.filter((t) => t <= started).at(-1) ?? started;
      for (const t of times) {
        if (t <= started) continue;
        unavailableMs = Math.max(unavailableMs, t - prev);
        prev = t;
      }
    }
    reports.push({ fault, unavailableMs, acknowledged: acked.size, delivered: delivered.size, duplicates: checker.duplicates.length });
    console.log(`chaos ${fault}: unavailability window ${unavailableMs} ms, acknowledged ${acked.size}, delivered ${delivered.size}, duplicates ${checker.duplicates.length}, redeliveries ${checker.redeliveries}`);
  }

  it('kill -9 of a broker', { timeout: 300_000 }, async () => {
    await underFault('kill -9 broker', async () => {
      const victim = await busiestOwner(brokers[0]!);
      await victim.kill9();
      // its partitions move to the others once its lease (2 s) expires; it comes back empty
      await new Promise((r) => setTimeout(r, TTL_MS * 3));
      await victim.start();
    });
  });

  it('kill -9 of a bookie (E2/Qw2/Qa2 on 3 bookies)', { timeout: 300_000 }, async () => {
    await underFault('kill -9 bookie', async () => {
      const victim = bookies.bookies[1]!;
      await victim.kill9();
      await new Promise((r) => setTimeout(r, 5_000));
      await victim.start();
    });
  });

  it('SIGSTOP of an owning broker past its lease, then SIGCONT', { timeout: 300_000 }, async () => {
    await underFault('SIGSTOP broker past lease', async () => {
      const victim = await busiestOwner(brokers[0]!);
      process.kill(victim.pid!, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, TTL_MS * 3));
      process.kill(victim.pid!, 'SIGCONT');
    });
  });

  it('restart of one etcd member of three', { timeout: 300_000 }, async () => {
    await underFault('restart etcd member', async () => {
      await etcd.kill(1);
      await new Promise((r) => setTimeout(r, 3_000));
      await etcd.restart(1);
    });
  });

  it('object-store outage while ledgers are tiered', { timeout: 300_000 }, async () => {
    const offloaded = async (): Promise<number> => {
      const stats = (await call(brokers[0]!.url, 'GET', `/admin/v1/topics/${TOPIC}`)).body.stats as Array<{ ledgers: Array<{ offloaded: boolean }> }>;
      return stats.reduce((s, p) => s + p.ledgers.filter((l) => l.offloaded).length, 0);
    };
    // tiering works before the outage
    await waitFor('a ledger offloaded', async () => (await offloaded()) > 0, { timeoutMs: 90_000, intervalMs: 200 });
    await underFault('object-store outage', async () => {
      await s3.stop();
      await new Promise((r) => setTimeout(r, 8_000));
      await s3.restart();
    });
    // and catches up after it
    const before = await offloaded();
    await waitFor('tiering resumes after the outage', async () => (await offloaded()) > before, { timeoutMs: 90_000, intervalMs: 200 });
  });

  it('graceful drain of a broker', { timeout: 300_000 }, async () => {
    await underFault('drain', async () => {
      const victim = await busiestOwner(brokers[0]!);
      const via = brokers.find((b) => b !== victim)!;
      const res = await call(via.url, 'POST', `/admin/v1/brokers/${victim.id}/drain`);
      expect(res.status).toBe(200);
      expect(res.body.moved.length).toBeGreaterThan(0);
    });
    const owned = (await call(brokers[0]!.url, 'GET', '/admin/v1/ownership')).body.ownership as Array<{ topic: string; broker: string }>;
    expect(new Set(owned.filter((o) => o.topic === TOPIC).map((o) => o.broker)).size).toBeLessThanOrEqual(2);
  });

  it('the log holds every acknowledged message exactly once, and no send failed', { timeout: 300_000 }, async () => {
    stopLoad = true;
    await load;
    await producer.flush();
    expect(sendErrors).toEqual([]);
    const reader = await client.reader({ topic: TOPIC, startMessageId: 'earliest', receiverQueueSize: 1000 });
    const counts = new Map<string, number>();
    for (;;) {
      const m = await reader.receive(AbortSignal.timeout(5_000)).catch(() => undefined);
      if (!m) break;
      counts.set(m.value.toString(), (counts.get(m.value.toString()) ?? 0) + 1);
    }
    await reader.close();
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    const lost = [...acked.keys()].filter((v) => counts.get(v) !== 1);
    expect(lost).toEqual([]);
    console.log(`chaos: ${acked.size} acknowledged, ${counts.size} stored, none twice; checker: ${checker.checked} checked, ${checker.redeliveries} redeliveries`);
  });
});
