// `npm run bench:http`: produce and receive+ack throughput over HTTP on standalone (a real process),
// with batches of 1 and 100 messages of 1 KiB, and produce latency percentiles.
import { machineSummary } from './lib/machine.js';
import { LatencySamples } from './lib/histogram.js';
import { StandaloneProcess } from '../test/helpers/standalone-process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const VALUE = 'x'.repeat(1024);

async function post(url: string, body: unknown): Promise<{ messages: Array<{ id: string }> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { messages: Array<{ id: string }> };
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function produce(base: string, topic: string, batch: number): Promise<{ messages: number; seconds: number; latency: LatencySamples }> {
  const latency = new LatencySamples();
  const body = { messages: Array.from({ length: batch }, (_, i) => ({ key: `k${i % 16}`, value: VALUE })) };
  let messages = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await post(`${base}/v1/topics/public/default/${topic}/messages`, body);
        latency.add(performance.now() - t);
        messages += batch;
      }
    }),
  );
  return { messages, seconds: (performance.now() - start) / 1000, latency };
}

async function drain(base: string, topic: string, expected: number, max: number): Promise<{ messages: number; seconds: number }> {
  let received = 0;
  const start = performance.now();
  const deadline = start + 120_000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (received < expected && performance.now() < deadline) {
        const { messages } = await post(`${base}/v1/topics/public/default/${topic}/subscriptions/bench/receive`, { max, waitMs: 200 });
        if (messages.length === 0) continue;
        await post(`${base}/v1/topics/public/default/${topic}/subscriptions/bench/ack`, { ids: messages.map((m) => m.id) });
        received += messages.length;
      }
    }),
  );
  return { messages: received, seconds: (performance.now() - start) / 1000 };
}

async function main(): Promise<void> {
  const sa = await StandaloneProcess.create();
  console.log(machineSummary(sa.dataDir));
  console.log(`standalone process (1 bookie, E1/Qw1/Qa1, fsync'd journal); ${CONCURRENCY} concurrent HTTP requests; ${SECONDS} s per produce phase; 1 KiB values\n`);
  try {
    await sa.start();
    for (const batch of [1, 100]) {
      const topic = `bench-${batch}`;
      await fetch(`${sa.url}/admin/v1/topics/public/default/${topic}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"partitions":4}' });
      const warm = await produce(sa.url, topic, batch); // warm-up on the same topic
      const p = await produce(sa.url, topic, batch);
      const rate = p.messages / p.seconds;
      console.log(`produce, ${batch} message(s) per request: ${rate.toFixed(0)} msg/s, ${((rate * 1024) / 1e6).toFixed(1)} MB/s; request latency ${p.latency.summary()}`);
      const total = warm.messages + p.messages;
      const d = await drain(sa.url, topic, total, 100);
      if (d.messages !== total) throw new Error(`drained ${d.messages} of ${total} messages`);
      console.log(`receive+ack (max 100, 4 loops): ${(d.messages / d.seconds).toFixed(0)} msg/s over ${d.messages} messages\n`);
    }
  } finally {
    await sa.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
