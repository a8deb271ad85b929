// Rebalance and drain on 3 in-process brokers (real bookie processes, etcd): 6 partitions all owned by
// broker-1 are spread 2/2/2 by `POST /admin/v1/rebalance` sent to broker-2, while a binary producer keeps
// sending to every partition and a consumer keeps reading: no send fails, the log holds every acknowledged
// message exactly once. Then `strata admin drain broker-2` leaves it nothing (3/3 on the others), and it
// claims no new partition: lookups through it are served elsewhere.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../broker/index.js';
import { connect, type StrataClient } from '../../../client/index.js';
import { waitFor } from '../../../common/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';
import { runCli } from '../../helpers/run-cli.js';

const PARTITIONS = 6;
const topic = 'public/default/moving';

interface MovedLog {
  partition: { topic: string; partition: number };
  from: string;
  to: string;
  gapMs: number;
  unloadMs: number;
}

describe('rebalance and drain (3 in-process brokers)', () => {
  let h: BrokerHarness;
  const brokers: Broker[] = [];
  const moveLogs: MovedLog[] = [];
  let client: StrataClient | undefined;
  let logSink: Writable;

  beforeAll(async () => {
    h = await BrokerHarness.start(2);
    // The mover logs every move with its gap ('partition moved'); keep those lines.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) {
          if (line.includes('"partition moved"')) moveLogs.push(JSON.parse(line) as MovedLog);
        }
        done();
      },
    });
    logSink = sink;
    brokers.push(await startBroker('broker-1'));
  });
  // No load shedding here: the moves under test are the admin's.
  const startBroker = (id: string): Promise<Broker> => h.broker({ id, binaryPort: 0, loadSheddingIntervalMs: 0, logger: pino({ level: 'info' }, logSink).child({ brokerId: id }) });
  afterAll(async () => {
    await client?.close();
    await h?.destroy();
  });

  const [b1, b2, b3] = [0, 1, 2].map((i) => () => brokers[i]!);
  const owners = async (t = topic): Promise<Record<string, number>> => {
    const counts: Record<string, number> = { 'broker-1': 0, 'broker-2': 0, 'broker-3': 0 };
    for (const o of (await call(b3().httpUrl, 'GET', '/admin/v1/ownership')).body.ownership as Array<{ topic: string; broker: string }>) {
      if (o.topic === t) counts[o.broker] = (counts[o.broker] ?? 0) + 1;
    }
    return counts;
  };

  it('spreads the partitions, then drains a broker, with no failed send and nothing lost or stored twice', { timeout: 180_000 }, async () => {
    expect((await call(b1().httpUrl, 'PUT', `/admin/v1/topics/${topic}`, { partitions: PARTITIONS })).status).toBe(201);
    // Keyless HTTP messages go round robin: broker-1, alone, claims every partition; then two brokers join.
    const warm = await call(b1().httpUrl, 'POST', `/v1/topics/${topic}/messages`, { messages: Array.from({ length: 4 * PARTITIONS }, () => ({ value: 'warm' })) });
    expect(warm.status).toBe(200);
    brokers.push(await startBroker('broker-2'), await startBroker('broker-3'));
    expect(await owners()).toEqual({ 'broker-1': PARTITIONS, 'broker-2': 0, 'broker-3': 0 });

    client = await connect(brokers.map((b) => b.binaryUrl), { operationTimeoutMs: 60_000 });
    const producer = await client.producer({ topic, batching: { maxMessages: 10, maxDelayMs: 2 }, sendTimeoutMs: 60_000, routing: (m) => Number(m.properties?.p) });
    const consumer = await client.consumer({ topic, subscription: 'follow', initialPosition: 'earliest', receiverQueueSize: 200 });

    // One loop per partition, so a partition that is moving does not hold the others back.
    const acked = new Set<string>();
    const ackTimes: number[][] = Array.from({ length: PARTITIONS }, () => []);
    const failures: unknown[] = [];
    let stop = false;
    const loops = Array.from({ length: PARTITIONS }, async (_, p) => {
      for (let n = 0; !stop; ) {
        const window = Array.from({ length: 10 }, () => `p${p}-${n++}`);
        await Promise.all(
          window.map(async (value) => {
            try {
              await producer.send({ value, properties: { p: String(p) } });
              acked.add(value);
              ackTimes[p]!.push(performance.now());
            } catch (err) {
              failures.push(err);
            }
          }),
        );
      }
    });
    const seen = new Set<string>();
    const consuming = (async () => {
      for await (const m of consumer) {
        seen.add(m.value.toString());
        void consumer.ack(m).catch(() => undefined);
      }
    })();
    const ackedAtLeast = (n: number) => waitFor(`${n} acknowledged sends`, () => acked.size >= n, { timeoutMs: 60_000 });

    // Rebalance, coordinated by broker-2 (it owns nothing; it calls broker-1 and broker-3 over HTTP).
    await ackedAtLeast(600);
    const rebalanceStart = performance.now();
    const rebalance = await call(b2().httpUrl, 'POST', '/admin/v1/rebalance', {});
    const rebalanceEnd = performance.now();
    expect(rebalance.status).toBe(200);
    expect(rebalance.body.moved).toHaveLength(4);
    for (const m of rebalance.body.moved) expect(m).toEqual({ topic, partition: expect.any(Number), from: 'broker-1', to: expect.stringMatching(/^broker-[23]$/) });
    expect(await owners()).toEqual({ 'broker-1': 2, 'broker-2': 2, 'broker-3': 2 });
    const rebalanceMoves = moveLogs.splice(0);
    expect(rebalanceMoves).toHaveLength(4);
    await ackedAtLeast(acked.size + 600);

    // Drain broker-2 through the CLI, still producing.
    const drained = await runCli(['admin', 'drain', 'broker-2', '--json', '--url', b1().httpUrl], { timeoutMs: 60_000 });
    expect(drained.stderr).toBe('');
    expect(drained.code).toBe(0);
    const drainMoves = (JSON.parse(drained.stdout) as { moved: Array<{ from: string; to: string }> }).moved;
    expect(drainMoves).toHaveLength(2);
    for (const m of drainMoves) expect(m).toMatchObject({ from: 'broker-2', to: expect.stringMatching(/^broker-[13]$/) });
    expect(await owners()).toEqual({ 'broker-1': 3, 'broker-2': 0, 'broker-3': 3 });
    const drainMoveLogs = moveLogs.splice(0);
    await ackedAtLeast(acked.size + 600);

    stop = true;
    await Promise.all(loops);
    await producer.flush();
    expect(failures).toEqual([]);

    // The consumer followed every move and saw every acknowledged message.
    await waitFor('the consumer to see every acknowledged message', () => [...acked].every((v) => seen.has(v)), { timeoutMs: 60_000 });

    // The log holds every acknowledged message exactly once.
    const reader = await client.reader({ topic, startMessageId: 'earliest', receiverQueueSize: 1000 });
    const counts = new Map<string, number>();
    for (;;) {
      const m = await reader.receive(AbortSignal.timeout(3_000)).catch(() => undefined);
      if (!m) break;
      counts.set(m.value.toString(), (counts.get(m.value.toString()) ?? 0) + 1);
    }
    await reader.close();
    expect([...acked].filter((v) => counts.get(v) !== 1)).toEqual([]);
    expect([...counts].filter(([v, n]) => v !== 'warm' && n > 1)).toEqual([]);

    // What each move cost: the mover's gap (unload start → target serving), and the longest pause between two
    // acknowledged sends of that partition as the producer saw it.
    const clientGap = (p: number, from: number, to: number) => {
      const times = ackTimes[p]!.filter((t) => t >= from && t <= to + 2_000);
      let gap = 0;
      for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
      return Math.round(gap);
    };
    const report = (what: string, moves: MovedLog[], from: number, to: number) =>
      moves.map((m) => `${what} ${m.partition.topic}/${m.partition.partition} ${m.from} → ${m.to}: gap ${m.gapMs} ms (unload ${m.unloadMs} ms), longest pause between acks ${clientGap(m.partition.partition, from, to)} ms`);
    const drainEnd = performance.now();
    console.log(
      [
        `rebalance: ${rebalance.body.moved.length} moves in ${Math.round(rebalanceEnd - rebalanceStart)} ms`,
        ...report('  rebalance', rebalanceMoves, rebalanceStart, rebalanceEnd),
        `drain: ${drainMoves.length} moves`,
        ...report('  drain', drainMoveLogs, rebalanceEnd, drainEnd),
        `${acked.size} sends acknowledged, none failed; each stored once; the consumer saw all of them`,
      ].join('\n'),
    );
    for (const m of [...rebalanceMoves, ...drainMoveLogs]) expect(m.gapMs).toBeLessThan(5_000);

    await consumer.close();
    await consuming;
    await producer.close();
  });

  it('a draining broker claims no partition: requests through it are served elsewhere', async () => {
    const fresh = 'public/default/after-drain';
    expect((await call(b2().httpUrl, 'PUT', `/admin/v1/topics/${fresh}`, { partitions: 3 })).status).toBe(201);
    const produced = await call(b2().httpUrl, 'POST', `/v1/topics/${fresh}/messages`, { messages: Array.from({ length: 9 }, (_, i) => ({ value: `v${i}` })) });
    expect(produced.status).toBe(200);
    const counts = await owners(fresh);
    expect(counts['broker-2']).toBe(0);
    expect(counts['broker-1']! + counts['broker-3']!).toBe(3);

    // A binary client that knows only broker-2 is sent to the broker that claims.
    expect((await call(b2().httpUrl, 'PUT', '/admin/v1/topics/public/default/binary-after-drain', { partitions: 1 })).status).toBe(201);
    const only2 = await connect(b2().binaryUrl);
    try {
      const producer = await only2.producer({ topic: 'public/default/binary-after-drain' });
      await producer.send('hello');
      await producer.close();
    } finally {
      await only2.close();
    }
    expect((await owners('public/default/binary-after-drain'))['broker-2']).toBe(0);
  });

  it('answers 404 for an unknown broker, and the CLI exits 3; a balanced cluster needs no move', async () => {
    const unknown = await call(b1().httpUrl, 'POST', '/admin/v1/brokers/nope/drain');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'BROKER_NOT_FOUND', message: 'no live broker nope' } });
    const cli = await runCli(['admin', 'drain', 'nope', '--url', b1().httpUrl]);
    expect(cli).toMatchObject({ code: 3, stdout: '', stderr: 'strata: no live broker nope\n' });
    const balanced = await call(b3().httpUrl, 'POST', '/admin/v1/rebalance', {});
    expect(balanced.status).toBe(200);
    const again = await runCli(['admin', 'rebalance', '--url', b3().httpUrl]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('nothing to move: no broker owns more than its share\n');
  });
});
