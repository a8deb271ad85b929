// `npm run bench:client`: the binary protocol and TypeScript client against standalone (a real process on free
// ports, in a temp dir): one producer, one partition, 1 KiB messages, durable acks (fsync'd journal, E1/Qw1/Qa1).
//   (a) max produce throughput (closed loop, bounded by 10,000 pending) for BENCH_SECONDS (10);
//   (b) end-to-end latency, send → receipt by a consumer in this process (a timestamp in the payload), at a
//       low fixed rate (1,000 msg/s) and at half of (a)'s rate, open loop;
//   (c) consume rate of a backlog of BENCH_BACKLOG (1,000,000) messages with a fresh subscription from earliest.
// Baselines measured in the same run: HTTP produce with 100 messages per request (16 requests in flight, as
// bench:http) on a 1-partition topic, and a raw loop of 4 KiB appends each followed by fdatasync.
// Every phase is bounded in time; the standalone process is killed by pid at the end.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connect, type Message, type StrataClient } from '../client/index.js';
import { runConsumeLoad, runProduceLoad, type LatencySummary } from '../cli/perf/index.js';
import { StandaloneProcess } from '../test/helpers/standalone-process.js';
import { LatencySamples } from './lib/histogram.js';
import { machineSummary } from './lib/machine.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? 1000);
const SIZE = 1024;
const MAX_PENDING = 10_000;
/** The whole run is killed past this (standalone included). */
const RUN_DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 1200) * 1000;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const lat = (l: LatencySummary) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, p999 ${l.p999.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`;
const mbps = (bytes: number, seconds: number) => bytes / seconds / 1e6;

/** CPU seconds (user + system) of a process so far, from /proc. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs `f` and reports the CPU both processes used during it, as % of one core. */
async function withCpu<T>(serverPid: number, f: () => Promise<T>): Promise<{ value: T; cpu: string }> {
  const [s0, c0, t0] = [cpuSecondsOf(serverPid), selfCpuSeconds(), performance.now()];
  const value = await f();
  const wall = (performance.now() - t0) / 1000;
  const cpu = `cpu: standalone ${fmt((100 * (cpuSecondsOf(serverPid) - s0)) / wall)} %, client ${fmt((100 * (selfCpuSeconds() - c0)) / wall)} % of one core`;
  return { value, cpu };
}

async function createTopic(httpUrl: string, name: string): Promise<string> {
  const res = await fetch(`${httpUrl}/admin/v1/topics/public/default/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"partitions":1}' });
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
  return `public/default/${name}`;
}

/** Baseline 1: HTTP produce, 100 messages of 1 KiB per request, 16 requests in flight, on one partition. */
async function httpBaseline(httpUrl: string, seconds: number): Promise<{ rate: number; latency: LatencySamples }> {
  const topic = (await createTopic(httpUrl, 'baseline-http')).split('/')[2]!;
  const body = JSON.stringify({ messages: Array.from({ length: 100 }, () => ({ value: 'x'.repeat(SIZE) })) });
  const latency = new LatencySamples();
  let messages = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const res = await fetch(`${httpUrl}/v1/topics/public/default/${topic}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
        if (res.status !== 200) throw new Error(`HTTP produce: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        latency.add(performance.now() - t);
        messages += 100;
      }
    }),
  );
  return { rate: messages / ((performance.now() - start) / 1000), latency };
}

/** Baseline 2: 4 KiB appends to a file in the data dir, each followed by fdatasync, for `seconds`. */
function fdatasyncBaseline(dir: string, seconds: number): { rate: number; latency: LatencySamples } {
  const file = path.join(dir, 'fdatasync-baseline');
  const fd = fs.openSync(file, 'a');
  const block = Buffer.alloc(4096, 7);
  const latency = new LatencySamples();
  const start = performance.now();
  const end = start + seconds * 1000;
  try {
    while (performance.now() < end) {
      const t = performance.now();
      fs.writeSync(fd, block);
      fs.fdatasyncSync(fd);
      latency.add(performance.now() - t);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return { rate: latency.count / ((performance.now() - start) / 1000), latency };
}

/** (b): a consumer in this process receives what one producer sends at `rate` for SECONDS; latency from the payload's stamp. */
async function endToEnd(client: StrataClient, topic: string, rate: number) {
  const count = Math.round(rate * SECONDS);
  const consumer = await client.consumer({ topic, subscription: 'e2e', initialPosition: 'latest', receiverQueueSize: 1000 });
  try {
    const sentAt = (m: Message) => m.value.readDoubleLE(0);
    const consuming = runConsumeLoad(consumer, { messages: count, durationMs: SECONDS * 1000 + 60_000, ackEvery: 100, latencyOf: (m) => performance.timeOrigin + performance.now() - sentAt(m) });
    const produced = await runProduceLoad(client, { topic, producers: 1, rate, size: SIZE, messages: count, batching: {}, maxPending: MAX_PENDING, stampPayload: true });
    const consumed = await consuming;
    if (produced.firstError) throw produced.firstError;
    if (consumed.messages !== count) throw new Error(`consumer received ${consumed.messages} of ${count} messages within ${SECONDS + 60} s`);
    return { produced, consumed };
  } finally {
    await consumer.close();
  }
}

async function main(): Promise<void> {
  const sa = await StandaloneProcess.create();
  const deadline = setTimeout(() => {
    console.error(`bench:client did not finish within ${RUN_DEADLINE_MS / 1000} s; killing standalone (pid ${sa.child?.process.pid})`);
    void sa.destroy().finally(() => process.exit(1));
  }, RUN_DEADLINE_MS);
  deadline.unref();
  console.log(machineSummary(sa.dataDir));
  console.log(
    `standalone process (1 bookie, E1/Qw1/Qa1, fsync'd journal); client in this process over ${sa.binaryUrl}; ` +
      `one producer, one partition, ${SIZE} B messages, batching ≤ 1000 msgs / 128 KiB / 1 ms, ≤ ${fmt(MAX_PENDING)} pending\n`,
  );
  let client: StrataClient | undefined;
  try {
    await sa.start();
    const serverPid = sa.child!.process.pid!;

    console.log('baselines (same run, same machine):');
    const fsync = fdatasyncBaseline(sa.dataDir, 2);
    console.log(`  raw fdatasync loop, 4 KiB append + fdatasync, 2 s: ${fmt(fsync.rate)} syncs/s; ${fsync.latency.summary()}`);
    const http = await httpBaseline(sa.url, 5);
    console.log(`  HTTP produce, 100 msgs/request, 16 in flight, 1 partition, 5 s: ${fmt(http.rate)} msg/s, ${fmt(mbps(http.rate * SIZE, 1), 1)} MB/s; request ${http.latency.summary()}\n`);

    client = await connect(sa.binaryUrl, { clientName: 'client-bench' });

    // (a) Max throughput, after a 3 s warm-up on the same topic.
    const maxTopic = await createTopic(sa.url, 'max');
    await runProduceLoad(client, { topic: maxTopic, producers: 1, rate: 0, size: SIZE, durationMs: 3000, batching: {}, maxPending: MAX_PENDING });
    const a = await withCpu(serverPid, () => runProduceLoad(client!, { topic: maxTopic, producers: 1, rate: 0, size: SIZE, durationMs: SECONDS * 1000, batching: {}, maxPending: MAX_PENDING }));
    if (a.value.firstError) throw a.value.firstError;
    const maxRate = a.value.messages / a.value.seconds;
    console.log(`(a) max produce throughput, ${SECONDS} s (after 3 s warm-up): ${fmt(maxRate)} msg/s, ${fmt(mbps(a.value.bytes, a.value.seconds), 1)} MB/s`);
    console.log(`    send→ack ${lat(a.value.latency)} (closed loop: ~${fmt(MAX_PENDING)} queued)`);
    console.log(`    ${a.cpu}\n`);

    // (b) End-to-end latency at fixed rates, open loop.
    const rates = [LOW_RATE, Math.round(maxRate / 2 / 1000) * 1000 || Math.round(maxRate / 2)];
    const e2e: Array<{ rate: number; e2e: LatencySummary; ack: LatencySummary }> = [];
    for (const rate of rates) {
      const topic = await createTopic(sa.url, `e2e-${rate}`);
      const b = await withCpu(serverPid, () => endToEnd(client!, topic, rate));
      e2e.push({ rate, e2e: b.value.consumed.latency, ack: b.value.produced.latency });
      console.log(`(b) ${fmt(rate)} msg/s for ${SECONDS} s (${fmt(b.value.produced.messages)} messages, achieved ${fmt(b.value.produced.messages / b.value.produced.seconds)} msg/s):`);
      console.log(`    end-to-end (send → consumer) ${lat(b.value.consumed.latency)}`);
      console.log(`    send→ack                     ${lat(b.value.produced.latency)}`);
      console.log(`    ${b.cpu}\n`);
    }

    // (c) A backlog of BACKLOG messages, then a fresh subscription from earliest.
    const backlogTopic = await createTopic(sa.url, 'backlog');
    const fill = await runProduceLoad(client, { topic: backlogTopic, producers: 1, rate: 0, size: SIZE, messages: BACKLOG, batching: {}, maxPending: MAX_PENDING });
    if (fill.firstError || fill.messages !== BACKLOG) throw fill.firstError ?? new Error(`backlog: ${fill.messages} of ${BACKLOG} stored`);
    console.log(`(c) backlog of ${fmt(BACKLOG)} messages produced in ${fill.seconds.toFixed(1)} s (${fmt(fill.messages / fill.seconds)} msg/s)`);
    const consumer = await client.consumer({ topic: backlogTopic, subscription: 'backlog-reader', initialPosition: 'earliest', receiverQueueSize: 1000 });
    const c = await withCpu(serverPid, () => runConsumeLoad(consumer, { messages: BACKLOG, durationMs: 600_000, ackEvery: 1000 }));
    await consumer.close();
    if (c.value.messages !== BACKLOG) throw new Error(`backlog consumer received ${c.value.messages} of ${BACKLOG} within 600 s`);
    const consumeRate = c.value.messages / c.value.seconds;
    console.log(`    consumed from earliest in ${c.value.seconds.toFixed(1)} s: ${fmt(consumeRate)} msg/s, ${fmt(mbps(c.value.bytes, c.value.seconds), 1)} MB/s (cumulative ack every 1,000)`);
    console.log(`    ${c.cpu}\n`);

    const ratios: Array<[string, string]> = [
      ['binary max produce / HTTP produce (100 msgs per request)', `${(maxRate / http.rate).toFixed(2)} ×`],
      ['binary max produce / raw fdatasync loop', `${(maxRate / fsync.rate).toFixed(1)} messages per fdatasync`],
      ['backlog consume / max produce', `${(consumeRate / maxRate).toFixed(2)} ×`],
      ...e2e.map((r): [string, string] => [`end-to-end p50 at ${fmt(r.rate)} msg/s / fdatasync p50`, `${(r.e2e.p50 / fsync.latency.percentile(50)).toFixed(1)} ×`]),
    ];
    const width = Math.max(...ratios.map(([k]) => k.length));
    console.log('ratios:');
    for (const [k, v] of ratios) console.log(`  ${k.padEnd(width)}  ${v}`);
  } finally {
    await client?.close().catch(() => undefined);
    await sa.destroy();
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
