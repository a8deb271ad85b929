// `npm run bench:failover`: how long partitions are unserved when a broker crashes, and when a rebalance moves
// them gracefully, on a local cluster of processes (`strata cluster up`: 3 bookies, 3 brokers, E2/Qw2/Qa2).
//   (a) crash: 100 partitions spread over the 3 brokers by a rebalance, keyed load at BENCH_RATE (2,000) msg/s
//       round robin over the partitions (one send per partition every 50 ms), then `kill -9` of the broker owning
//       the most. Per partition of the killed broker: time from the kill until the first acknowledged send sent
//       after it. Target: max ≤ session TTL + 2 s.
//   (b) graceful: a fresh cluster; a 45-partition topic claimed by one broker, probed every BENCH_PROBE_MS (10) ms
//       per partition, then `POST /admin/v1/rebalance` moves 30 of them (one at a time). Per moved partition: the
//       longest gap between consecutive acknowledged sends around the move, and the server's gap (the
//       coordinator's 'partition moved' log line, from unload start until the target serves). Target: < 500 ms.
// Baselines measured in the same run: send→ack latency before the kill / the rebalance, and the longest gap on
// the partitions that neither crashed nor moved, over the same window.
// Every wait has a deadline; the clusters are stopped with `cluster down` (SIGKILL by pid if that fails).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Producer, type StrataClient } from '../client/index.js';
import { LatencySamples } from './lib/histogram.js';
import { machineSummary } from './lib/machine.js';
import { histogramDelta, histogramPercentile, scrapeHistogram } from './lib/prometheus.js';

const TTL_MS = Number(process.env.BENCH_SESSION_TTL_MS ?? 6000);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const PARTITIONS = 100;
const GRACEFUL_PARTITIONS = 45;
const PROBE_MS = Number(process.env.BENCH_PROBE_MS ?? 10);
const CRASH_TARGET_MS = TTL_MS + 2000;
const MOVE_TARGET_MS = 500;
/** The whole run is killed past this (clusters included). */
const RUN_DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 900) * 1000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MOVE_METRIC = 'strata_broker_partition_move_seconds';

interface Broker {
  id: string;
  pid: number;
  httpUrl: string;
  binaryUrl: string;
  log: string;
}

const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function percentiles(values: number[], ps: number[]): string {
  const s = new LatencySamples();
  for (const v of values) s.add(v);
  return ps.map((p) => `p${p} ${ms(s.percentile(p))}`).join(', ') + `, max ${ms(Math.max(...values))}`;
}

function strata(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`strata ${args.join(' ')}: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

async function http(method: string, url: string, body?: unknown, timeoutMs = 120_000): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A local cluster in a temp dir, started and stopped through the CLI; every pid it names is SIGKILLed if `down` fails. */
class Cluster {
  brokers: Broker[] = [];
  private pids: number[] = [];
  constructor(readonly dir: string) {}

  async up(): Promise<void> {
    await strata(['cluster', 'up', '--bookies', '3', '--brokers', '3', '--dir', this.dir, '--session-ttl-ms', String(TTL_MS), '--json'], 180_000);
    const status = JSON.parse(await strata(['cluster', 'status', '--dir', this.dir, '--json'], 30_000)) as { processes: Array<Broker & { role: string; pid: number | null }> };
    this.pids = status.processes.flatMap((p) => (p.pid ? [p.pid] : []));
    this.brokers = status.processes.filter((p) => p.role === 'broker').map(({ id, pid, httpUrl, binaryUrl, log }) => ({ id, pid: pid!, httpUrl, binaryUrl, log }));
  }

  async down(): Promise<void> {
    try {
      await strata(['cluster', 'down', '--dir', this.dir], 60_000);
    } catch (err) {
      console.error(`cluster down failed (${(err as Error).message}); SIGKILL by pid`);
      this.killAll();
    }
  }

  killAll(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Who owns each partition of `topic`, asked of `via` (default: the first broker). */
  async ownership(topic: string, via = this.brokers[0]!): Promise<Map<number, string>> {
    const r = (await http('GET', `${via.httpUrl}/admin/v1/ownership`)) as { ownership: Array<{ topic: string; partition: number; broker: string }> };
    return new Map(r.ownership.filter((o) => o.topic === topic || o.topic.endsWith(`/${topic}`)).map((o) => [o.partition, o.broker]));
  }
}

/**
 * Open-loop keyed sends to chosen partitions of one producer, every partition at its own interval; records each
 * partition's acknowledgement times (and when the acknowledged message was sent).
 */
class Load {
  readonly acks: Array<Array<{ sent: number; acked: number }>>;
  readonly latency = new LatencySamples();
  failures = 0;
  firstFailure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly producer: Producer,
    partitions: number,
  ) {
    this.acks = Array.from({ length: partitions }, () => []);
  }

  /** Sends one message to each partition every `intervalMs`, spread evenly over the interval. */
  start(intervalMs: number): void {
    const n = this.acks.length;
    const t0 = performance.now();
    let due = 0;
    this.timer = setInterval(() => {
      const target = Math.floor(((performance.now() - t0) / intervalMs) * n);
      for (; due < target; due++) this.sendTo(due % n);
    }, 2);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sendTo(p: number): void {
    const sent = performance.now();
    this.producer.send({ key: String(p), value: 'x'.repeat(100) }).then(
      () => {
        const acked = performance.now();
        this.acks[p]!.push({ sent, acked });
        this.latency.add(acked - sent);
      },
      (err: Error) => {
        this.failures++;
        this.firstFailure ??= err;
      },
    );
  }

  /** The first acknowledgement of a message sent at or after `t`. */
  firstAckSentAfter(p: number, t: number): number | undefined {
    return this.acks[p]!.find((a) => a.sent >= t)?.acked;
  }

  /** The longest interval between consecutive acknowledgements (acks sorted by time) that overlaps [from, to]. */
  longestGap(p: number, from: number, to: number): number {
    const times = this.acks[p]!.map((a) => a.acked).sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < times.length; i++) if (times[i]! >= from && times[i - 1]! <= to) gap = Math.max(gap, times[i]! - times[i - 1]!);
    return gap;
  }
}

/**
 * Creates the topic and a producer. The load manager's leader spreads the partitions over the brokers; with
 * `allOnFirst`, `first` loads every partition itself first (through the internal load route a move's target
 * uses), so a rebalance has partitions to move.
 */
async function openProducer(c: Cluster, topic: string, first: Broker, partitions: number, allOnFirst = false): Promise<{ client: StrataClient; producer: Producer }> {
  await http('PUT', `${first.httpUrl}/admin/v1/topics/public/default/${topic}`, { partitions });
  if (allOnFirst) for (let p = 0; p < partitions; p++) await http('POST', `${first.httpUrl}/internal/v1/partitions/public/default/${topic}/${p}/load`);
  const client = await connect([first, ...c.brokers.filter((b) => b !== first)].map((b) => b.binaryUrl), { clientName: 'failover-bench' });
  const producer = await client.producer({
    topic: `public/default/${topic}`,
    batching: { maxDelayMs: 1 },
    maxPendingMessages: 200_000,
    blockIfQueueFull: false,
    routing: (m) => Number(m.key),
  });
  return { client, producer };
}

function countBy(owners: Map<number, string>): string {
  const counts = new Map<string, number>();
  for (const b of owners.values()) counts.set(b, (counts.get(b) ?? 0) + 1);
  return [...counts].sort().map(([b, n]) => `${b} ${n}`).join(', ');
}

async function crashPhase(c: Cluster): Promise<void> {
  const topic = 'failover';
  const { client, producer } = await openProducer(c, topic, c.brokers[0]!, PARTITIONS);
  try {
    const moved = (await http('POST', `${c.brokers[0]!.httpUrl}/admin/v1/rebalance`, {})) as { moved: unknown[] };
    const owners = await c.ownership(topic);
    if (owners.size !== PARTITIONS) throw new Error(`${owners.size} of ${PARTITIONS} partitions owned after the rebalance`);
    console.log(`(a) crash: topic of ${PARTITIONS} partitions, ${moved.moved.length} moved by a rebalance; owners: ${countBy(owners)}`);

    const load = new Load(producer, PARTITIONS);
    load.start((PARTITIONS / RATE) * 1000);
    await sleep(5000);
    const steady = load.latency.summary();
    const steadyFailures = load.failures;

    const counts = new Map<string, number[]>();
    for (const [p, b] of owners) counts.set(b, [...(counts.get(b) ?? []), p]);
    const [victimId, lost] = [...counts].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))[0]!;
    const victim = c.brokers.find((b) => b.id === victimId)!;
    const kept = [...owners.keys()].filter((p) => owners.get(p) !== victimId);

    const survivor = c.brokers.find((b) => b !== victim)!;
    const killedAt = performance.now();
    process.kill(victim.pid, 'SIGKILL');
    // When the cluster stops listing the killed broker (its session expired): splits the time to recover.
    let expiredAt: number | undefined;
    const expiry = waitFor('the killed broker leaving the broker list', TTL_MS + 60_000, async () => {
      const r = (await http('GET', `${survivor.httpUrl}/admin/v1/brokers`, undefined, 5000)) as { brokers: Array<{ id: string }> };
      return r.brokers.some((b) => b.id === victimId) ? undefined : (expiredAt = performance.now());
    });
    expiry.catch(() => undefined); // awaited below; handled here if the phase fails first
    await waitFor('every partition of the killed broker acknowledging again', TTL_MS + 60_000, () => (lost.every((p) => load.firstAckSentAfter(p, killedAt) !== undefined) ? true : undefined));
    const recoveredAt = performance.now();
    await expiry;
    await sleep(2000);
    load.stop();
    await sleep(500);

    const back = lost.map((p) => load.firstAckSentAfter(p, killedAt)! - killedAt);
    const max = Math.max(...back);
    const survivorsGap = Math.max(...kept.map((p) => load.longestGap(p, killedAt, recoveredAt)));
    const after = await c.ownership(topic, survivor);
    console.log(`    load: ${RATE.toLocaleString('en-US')} msg/s keyed round robin (one send per partition every ${(PARTITIONS / RATE) * 1000} ms), 100 B values`);
    console.log(`    baseline send→ack in the 5 s before the kill: ${steady}; ${steadyFailures} failed sends`);
    console.log(`    kill -9 ${victimId} (pid ${victim.pid}), owner of ${lost.length} partitions; session TTL ${ms(TTL_MS)}`);
    console.log(`    time from the kill to the first ack on each of its partitions (${lost.length}): ${percentiles(back, [50, 90])}`);
    console.log(`    the killed broker left the broker list ${ms(expiredAt! - killedAt)} after the kill (±50 ms); first ack after that: ${percentiles(back.map((b) => b - (expiredAt! - killedAt)), [50, 90])}`);
    console.log(`    owners afterwards: ${countBy(after)}`);
    console.log(`    longest ack gap on the ${kept.length} partitions of the surviving brokers, same window: ${ms(survivorsGap)}`);
    console.log(`    failed sends over the whole run: ${load.failures}${load.firstFailure ? ` (first: ${load.firstFailure.message})` : ''}`);
    console.log(`    max / (TTL + 2 s) = ${ms(max)} / ${ms(CRASH_TARGET_MS)} = ${(max / CRASH_TARGET_MS).toFixed(2)}; max / TTL = ${(max / TTL_MS).toFixed(2)}`);
    console.log(`    target: every partition back within TTL + 2 s: ${verdict(max <= CRASH_TARGET_MS)}\n`);
  } finally {
    await Promise.race([client.close().catch(() => undefined), sleep(10_000)]);
  }
}

/** The coordinator's 'partition moved' log lines for `topic` written after `fromByte` of its log. */
function serverGaps(log: string, fromByte: number, topic: string): Map<number, number> {
  const gaps = new Map<number, number>();
  const text = fs.readFileSync(log).subarray(fromByte).toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('"partition moved"')) continue;
    try {
      const j = JSON.parse(line) as { partition?: { topic: string; partition: number }; gapMs?: number };
      if (j.partition?.topic.endsWith(topic) && typeof j.gapMs === 'number') gaps.set(j.partition.partition, j.gapMs);
    } catch {
      // not a JSON line
    }
  }
  return gaps;
}

async function gracefulPhase(c: Cluster): Promise<void> {
  const topic = 'graceful';
  const [first] = c.brokers;
  const { client, producer } = await openProducer(c, topic, first!, GRACEFUL_PARTITIONS, true);
  try {
    const owners = await c.ownership(topic);
    console.log(`(b) graceful: topic of ${GRACEFUL_PARTITIONS} partitions, owners: ${countBy(owners)}; one send per partition every ${PROBE_MS} ms (${Math.round((GRACEFUL_PARTITIONS * 1000) / PROBE_MS).toLocaleString('en-US')} msg/s)`);
    const load = new Load(producer, GRACEFUL_PARTITIONS);
    load.start(PROBE_MS);
    await sleep(5000);
    const steady = load.latency.summary();

    const logStart = fs.statSync(first!.log).size;
    const metricsUrl = `${first!.httpUrl}/metrics`;
    const hBefore = await scrapeHistogram(metricsUrl, MOVE_METRIC);
    const t0 = performance.now();
    const r = (await http('POST', `${first!.httpUrl}/admin/v1/rebalance`, {}, 300_000)) as { moved: Array<{ topic: string; partition: number; from: string; to: string }> };
    const t1 = performance.now();
    await sleep(1000);
    load.stop();
    await sleep(500);
    const hDelta = histogramDelta(await scrapeHistogram(metricsUrl, MOVE_METRIC), hBefore);

    const movedSet = new Set(r.moved.filter((m) => m.topic.endsWith(topic)).map((m) => m.partition));
    const moved = [...movedSet];
    const unmoved = [...owners.keys()].filter((p) => !movedSet.has(p));
    if (moved.length === 0) throw new Error('the rebalance moved nothing');
    const clientGaps = moved.map((p) => load.longestGap(p, t0, t1 + 500));
    const server = serverGaps(first!.log, logStart, topic);
    const serverList = moved.flatMap((p) => (server.has(p) ? [server.get(p)!] : []));
    const unmovedGap = unmoved.length ? Math.max(...unmoved.map((p) => load.longestGap(p, t0, t1 + 500))) : NaN;
    const max = Math.max(...clientGaps);

    console.log(`    baseline send→ack in the 5 s before the rebalance: ${steady}`);
    console.log(`    rebalance moved ${moved.length} partitions in ${ms(t1 - t0)} (${ms((t1 - t0) / moved.length)} per move); owners afterwards: ${countBy(await c.ownership(topic))}`);
    console.log(`    client: longest gap between acks per moved partition: ${percentiles(clientGaps, [50, 99])}`);
    if (serverList.length) console.log(`    server ('partition moved' gapMs, ${serverList.length} lines): ${percentiles(serverList, [50, 99])}`);
    console.log(`    server (${MOVE_METRIC}, ${hDelta.count} moves): mean ${ms((hDelta.sum / Math.max(1, hDelta.count)) * 1000)}, p50 ≤ ${histogramPercentile(hDelta, 50)} s, p99 ≤ ${histogramPercentile(hDelta, 99)} s`);
    console.log(`    longest ack gap on the ${unmoved.length} partitions that did not move, same window: ${ms(unmovedGap)}; moved max / that = ${(max / unmovedGap).toFixed(1)} ×`);
    console.log(`    failed sends: ${load.failures}${load.firstFailure ? ` (first: ${load.firstFailure.message})` : ''}`);
    console.log(`    target: a graceful move interrupts a partition < ${MOVE_TARGET_MS} ms (client max ${ms(max)}, ${(max / MOVE_TARGET_MS).toFixed(2)} of it): ${verdict(max < MOVE_TARGET_MS)}`);
  } finally {
    await Promise.race([client.close().catch(() => undefined), sleep(10_000)]);
  }
}

async function withCluster(name: string, phase: (c: Cluster) => Promise<void>, live: Set<Cluster>): Promise<void> {
  const c = new Cluster(fs.mkdtempSync(path.join(os.tmpdir(), `strata-failover-${name}-`)));
  live.add(c);
  let ok = false;
  try {
    const t = performance.now();
    await c.up();
    console.error(`cluster up in ${c.dir} (${ms(performance.now() - t)}): ${c.brokers.map((b) => `${b.id} pid ${b.pid}`).join(', ')}`);
    await phase(c);
    ok = true;
  } finally {
    await c.down();
    live.delete(c);
    if (ok) fs.rmSync(c.dir, { recursive: true, force: true });
    else console.error(`kept ${c.dir} (logs/) for a look`);
  }
}

async function main(): Promise<void> {
  const live = new Set<Cluster>();
  const deadline = setTimeout(() => {
    console.error(`bench:failover did not finish within ${RUN_DEADLINE_MS / 1000} s; killing the clusters`);
    for (const c of live) c.killAll();
    process.exit(1);
  }, RUN_DEADLINE_MS);
  deadline.unref();
  console.log(machineSummary(os.tmpdir()));
  console.log(`local clusters (strata cluster up): etcd, s3rver, 3 bookies, 3 brokers, E2/Qw2/Qa2, session TTL ${ms(TTL_MS)}; TypeScript client in this process, batching ≤ 1 ms\n`);
  try {
    await withCluster('crash', crashPhase, live);
    await withCluster('graceful', gracefulPhase, live);
  } finally {
    clearTimeout(deadline);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
