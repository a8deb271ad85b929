// `strata cluster up|status|down` end to end: the command starts etcd, s3rver, 3 bookies and 2 brokers as
// real processes; they serve one cluster across brokers, survive a broker's kill -9, and stop by pid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/index.js';
import { call } from '../../helpers/broker-harness.js';
import { runCli } from '../../helpers/run-cli.js';

/** Alive and not a zombie (killed processes of the cluster are nobody's children once `up` has exited). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2)[0] ?? '');
  } catch {
    return false;
  }
}

interface StatusProcess {
  role: string;
  id: string;
  pid: number | null;
  alive: boolean;
  [url: string]: unknown;
}

describe('strata cluster', () => {
  let dir: string;
  const pids = new Set<number>();
  const cluster = (...args: string[]) => runCli(['cluster', ...args, '--dir', dir], { timeoutMs: 60_000 });
  const status = async () => {
    const run = await cluster('status', '--json');
    return { code: run.code, stderr: run.stderr, processes: JSON.parse(run.stdout).processes as StatusProcess[] };
  };
  const recordedPids = (): number[] => {
    const file = path.join(dir, 'cluster.json');
    if (!fs.existsSync(file)) return [];
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { processes: Array<{ pid: number | null }> }).processes.flatMap((p) => (p.pid === null ? [] : [p.pid]));
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cluster-'));
    const up = await runCli(['cluster', 'up', '--bookies', '3', '--brokers', '2', '--dir', dir, '--session-ttl-ms', '2000', '--timeout-ms', '150000', '--json'], { timeoutMs: 180_000 });
    for (const pid of recordedPids()) pids.add(pid);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).processes).toHaveLength(7);
  }, 200_000);

  afterAll(() => {
    for (const pid of [...pids, ...recordedPids()]) {
      if (!running(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists 1 etcd, 1 s3, 3 bookies and 2 brokers, all alive, with their URLs', async () => {
    const { code, processes } = await status();
    expect(code).toBe(0);
    expect(processes.map((p) => `${p.role}:${p.id}`)).toEqual(['etcd:etcd', 's3:s3', 'bookie:bookie-1', 'bookie:bookie-2', 'bookie:bookie-3', 'broker:broker-1', 'broker:broker-2']);
    for (const p of processes) {
      expect(p.alive, p.id).toBe(true);
      expect(running(p.pid!), p.id).toBe(true);
    }
    const loopback = /^(http|strata):\/\/127\.0\.0\.1:\d+$/;
    expect(processes[0]!.clientUrl).toMatch(loopback);
    expect(processes[1]).toMatchObject({ endpoint: expect.stringMatching(loopback), bucket: 'strata' });
    for (const b of processes.filter((p) => p.role === 'bookie')) expect(b.address).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const b of processes.filter((p) => p.role === 'broker')) {
      expect(b.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(b.binaryUrl).toMatch(/^strata:\/\/127\.0\.0\.1:\d+$/);
    }
    const text = await cluster('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ROLE\s+ID\s+PID\s+ALIVE\s+ADDRESS$/m);
    expect(text.stdout).toMatch(/^broker\s+broker-2\s+\d+\s+yes\s+http:\/\/127\.0\.0\.1:\d+ strata:\/\/127\.0\.0\.1:\d+$/m);
    // The brokers see the whole cluster.
    const brokers = await call(processes[5]!.httpUrl as string, 'GET', '/admin/v1/brokers');
    expect(brokers.body.brokers.map((b: { id: string }) => b.id).sort()).toEqual(['broker-1', 'broker-2']);
    const bookies = await call(processes[6]!.httpUrl as string, 'GET', '/admin/v1/bookies');
    expect(bookies.body.bookies.map((b: { id: string }) => b.id).sort()).toEqual(['bookie-1', 'bookie-2', 'bookie-3']);
  });

  it('serves one cluster: messages produced through broker-1 are received through broker-2', async () => {
    const [b1, b2] = (await status()).processes.filter((p) => p.role === 'broker').map((p) => p.httpUrl as string);
    expect((await call(b1!, 'PUT', '/admin/v1/topics/public/default/orders', { partitions: 2 })).status).toBe(201);
    const values = Array.from({ length: 20 }, (_, i) => `order-${i}`);
    const produced = await call(b1!, 'POST', '/v1/topics/public/default/orders/messages', { messages: values.map((v) => ({ key: v, value: v })) });
    expect(produced.status).toBe(200);
    expect(new Set(produced.body.results.map((r: { partition: number }) => r.partition))).toEqual(new Set([0, 1]));
    expect(await receiveAll(b2!, 'orders', 'billing', values)).toEqual(new Set(values));
  });

  it('shows auto-recovery: one broker runs it, with nothing to do while every bookie lives', async () => {
    const [b1] = (await status()).processes.filter((p) => p.role === 'broker').map((p) => p.httpUrl as string);
    await waitFor('an auto-recovery runner', async () => (await call(b1!, 'GET', '/admin/v1/auto-recovery')).body.running === true, { timeoutMs: 20_000 });
    const json = await runCli(['admin', 'auto-recovery', '--json', '--url', b1!]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ running: true, runner: expect.stringMatching(/^broker-[12]$/), underReplicated: 0, replicatedFragments: 0, copiedEntries: 0 });
    const text = await runCli(['admin', 'auto-recovery', '--url', b1!]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^RUNNING\s+RUNNER\s+UNDER-REPLICATED\s+REPLICATED FRAGMENTS\s+COPIED ENTRIES\s+LAST RUN$/m);
    expect(text.stdout).toMatch(/^yes\s+broker-[12]\s+0\s+0\s+0\s+\S+$/m);
  });

  it('refuses to start a second cluster in a directory whose cluster runs', async () => {
    const before = fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8');
    const again = await runCli(['cluster', 'up', '--dir', dir, '--bookies', '1', '--brokers', '1'], { timeoutMs: 60_000 });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^strata: a cluster is already running in .*: etcd \(pid \d+\).*; stop it first with `strata cluster down --dir /);
    expect(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8')).toBe(before);
  });

  it("keeps serving through broker-2 after kill -9 of broker-1, once broker-1's lease expires", { timeout: 120_000 }, async () => {
    const brokers = (await status()).processes.filter((p) => p.role === 'broker');
    const [b1, b2] = brokers;
    process.kill(b1!.pid!, 'SIGKILL');
    await waitFor('broker-1 to die', () => !running(b1!.pid!), { timeoutMs: 10_000 });

    const degraded = await status();
    expect(degraded.code).toBe(1);
    expect(degraded.stderr).toBe('strata: 1 of 7 processes not running: broker-1\n');
    expect(degraded.processes.find((p) => p.id === 'broker-1')?.alive).toBe(false);

    const values = Array.from({ length: 10 }, (_, i) => `late-${i}`);
    // Through broker-2 only: 503s until broker-1's session expires (2 s) and broker-2 takes its partitions.
    await waitFor(
      'broker-2 to take over the partitions of broker-1',
      async () => (await call(b2!.httpUrl as string, 'POST', '/v1/topics/public/default/orders/messages', { producer: 'late', messages: values.map((v, i) => ({ key: v, value: v, sequenceId: i })) })).status === 200,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const received = await receiveAll(b2!.httpUrl as string, 'orders', 'billing', values);
    for (const v of values) expect(received).toContain(v);
    const ownership = await call(b2!.httpUrl as string, 'GET', '/admin/v1/ownership');
    expect(ownership.body.ownership.filter((o: { topic: string }) => o.topic === 'public/default/orders').map((o: { broker: string }) => o.broker)).toEqual(['broker-2', 'broker-2']);
  });

  it('stops every process on down, and a second down is fine', { timeout: 90_000 }, async () => {
    const before = (await status()).processes.map((p) => p.pid!);
    const down = await cluster('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^stopped 6 process\(es\) in /);
    expect(down.stdout).toMatch(/^already gone: broker-1$/m);
    expect(down.stdout).toMatch(/^logs and data kept/m);
    for (const pid of before) expect(running(pid), `pid ${pid}`).toBe(false);
    expect(recordedPids()).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'logs', 'broker-2.log'))).toBe(true);

    const again = await cluster('down');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing was running in /) });
    const stopped = await status();
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/is stopped; `strata cluster up --dir .*` starts it again/);
    expect(stopped.processes.every((p) => p.pid === null && !p.alive)).toBe(true);
  });
});

describe('strata cluster without a cluster', () => {
  it('status exits 3 and down exits 0 on a directory without a cluster', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-no-cluster-'));
    try {
      const [stat, down] = await Promise.all([runCli(['cluster', 'status', '--dir', empty]), runCli(['cluster', 'down', '--dir', empty])]);
      expect(stat).toMatchObject({ code: 3, stdout: '' });
      expect(stat.stderr).toMatch(/^strata: no cluster in .* \(no cluster.json\); start one with `strata cluster up --dir /);
      expect(down).toMatchObject({ code: 0, stdout: expect.stringMatching(/^no cluster in .*; nothing to stop\n$/) });
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('prints help for cluster and each subcommand, and checks its arguments before starting anything', async () => {
    const commands = [['cluster'], ['cluster', 'up'], ['cluster', 'down'], ['cluster', 'status']];
    const runs = await Promise.all(commands.map((c) => runCli([...c, '--help'])));
    for (const [i, run] of runs.entries()) {
      expect(run.code, commands[i]!.join(' ')).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: strata ${commands[i]!.join(' ')}`));
    }
    expect(runs[1]!.stdout).toMatch(/--dir <dir>.*\(env: STRATA_CLUSTER_DIR\)/s);
    const bad = await Promise.all([runCli(['cluster', 'up', '--dir', '/nonexistent/x', '--bookies', '0']), runCli(['cluster', 'status'])]);
    expect(bad[0]).toMatchObject({ code: 1, stdout: '' });
    expect(bad[0].stderr).toMatch(/'--bookies <n>' argument '0' is invalid\. It must be an integer from 1 to 16/);
    expect(bad[1]).toMatchObject({ code: 1, stdout: '' });
    expect(bad[1].stderr).toMatch(/--dir is required \(or set STRATA_CLUSTER_DIR\)/);
  });
});

/** Receives (and acks) through `broker` until every value of `expected` came; resolves with all values received. */
async function receiveAll(broker: string, topic: string, subscription: string, expected: string[]): Promise<Set<string>> {
  const received = new Set<string>();
  await waitFor(
    `${expected.length} messages through ${broker}`,
    async () => {
      const got = await call(broker, 'POST', `/v1/topics/public/default/${topic}/subscriptions/${subscription}/receive`, { max: 100, waitMs: 500 });
      if (got.status !== 200) return false;
      for (const m of got.body.messages) received.add(m.value);
      if (got.body.messages.length > 0) {
        const ack = await call(broker, 'POST', `/v1/topics/public/default/${topic}/subscriptions/${subscription}/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
        if (ack.status !== 200) return false;
      }
      return expected.every((v) => received.has(v));
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
  return received;
}
