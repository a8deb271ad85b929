// The Strata entry of the peer benchmark harness (../shared/bench, README "Strata"): how to start standalone,
// and a driver over the TypeScript binary client with the durable ack of the design (a send is answered only
// once the batch is fdatasync'ed in the bookie's journal).
/* global fetch */
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout } from 'node:timers';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist');

/** Strata runs as shipped: the compiled output (`npm run build`, what `npm start` runs), built here if missing. */
function ensureBuilt() {
  if (fs.existsSync(path.join(built, 'cli/main.js')) && fs.existsSync(path.join(built, 'client/index.js'))) return;
  const out = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`npm run build failed: ${out.stderr || out.stdout}`);
}

function freePort(host) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Standalone under `dir`: one Node process (the harness measures that pid), binary protocol and HTTP on `host`. */
export async function server(dir, host) {
  const [port, httpPort] = [await freePort(host), await freePort(host)];
  // STRATA_BENCH_CPU_PROF=DIR: V8 CPU profiles of the server (written when the harness stops it with SIGTERM).
  const profile = process.env.STRATA_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.STRATA_BENCH_CPU_PROF)}`] : [];
  ensureBuilt();
  return {
    cmd: process.execPath,
    args: [...profile, path.join(built, 'cli/main.js'), 'standalone', '--data-dir', path.join(dir, 'data'), '--http-host', host, '--http-port', String(httpPort), '--binary-port', String(port)],
    env: { STRATA_LOG_LEVEL: 'warn' },
    cwd: root,
    port,
    url: `strata://${host}:${port}`,
    httpUrl: `http://${host}:${httpPort}`,
    dataDirs: [path.join(dir, 'data')],
    async ready() {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const ok = await fetch(`http://${host}:${httpPort}/readyz`).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('strata standalone did not become ready within 60 s');
    },
    config: { version: version() },
  };
}

function version() {
  const out = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return out.status === 0 ? `git ${out.stdout.trim()}` : 'unknown';
}

export async function create(srv, { window = 1000 } = {}) {
  ensureBuilt();
  const { connect } = await import(pathToFileURL(path.join(built, 'client/index.js')).href);
  const spec = srv.spec ?? srv;
  const client = await connect(srv.url ?? spec.url, { clientName: 'peer-bench' });
  const closables = [];
  return {
    name: 'strata',
    ackSemantics: 'send answered after the batch is fdatasync-ed in the bookie journal (standalone: 1 bookie, ack quorum 1)',

    async createTopic(name) {
      const res = await fetch(`${spec.httpUrl}/admin/v1/topics/public/default/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ partitions: 1 }),
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`create topic ${name}: HTTP ${res.status} ${await res.text()}`);
    },

    async openPublisher(name) {
      const producer = await client.producer({ topic: `public/default/${name}`, maxPendingMessages: Math.max(window, 1) });
      closables.push(producer);
      return {
        publish(buf) {
          return producer.send(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
        },
        close: () => producer.close(),
      };
    },

    async openConsumer(name, { from = 'beginning', onMessage }) {
      const consumer = await client.consumer({
        topic: `public/default/${name}`,
        subscription: 'bench',
        initialPosition: from === 'beginning' ? 'earliest' : 'latest',
        receiverQueueSize: Math.max(window, 100),
        listener: (m, c) => {
          onMessage(m.value);
          void c.ack(m).catch(() => undefined);
        },
      });
      closables.push(consumer);
      return { close: () => consumer.close() };
    },

    async close() {
      for (const c of closables) await c.close().catch(() => undefined);
      await client.close();
    },
  };
}
