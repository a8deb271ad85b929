// The README's start command, exactly as written there, in a fresh clone of this repository: it installs and
// starts standalone; HTTP produce and receive work; after a restart (the same command again) the data is there.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/index.js';
import { call } from '../../helpers/broker-harness.js';
import { freePorts } from '../../helpers/free-port.js';
import { repoRoot } from '../../helpers/node-child.js';

/** The first command of the README's first `sh` block, without its comment. */
export async function readmeStartCommand(): Promise<string> {
  const readme = await fs.readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no sh block');
  return block[1]!.split('\n')[0]!.replace(/\s+#.*$/, '').trim();
}

describe('the README start command in a fresh clone', () => {
  const started: ChildProcess[] = [];
  let dir: string | undefined;
  afterAll(async () => {
    for (const child of started) stopGroup(child, 'SIGKILL');
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // gone already
    }
  }

  it('installs, starts, serves HTTP, and keeps its data across a restart', { timeout: 600_000 }, async () => {
    const command = await readmeStartCommand();
    expect(command).toBe('npm install && npm start');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-readme-'));
    const clone = spawnSync('git', ['clone', '--quiet', repoRoot, dir], { encoding: 'utf8' });
    expect(clone.status, clone.stderr).toBe(0);
    const [httpPort, binaryPort] = await freePorts(2);
    const url = `http://127.0.0.1:${httpPort}`;
    // Ports through the documented variables (the command stays as written); npm may use its cache.
    const env = { ...process.env, STRATA_HTTP_PORT: String(httpPort), STRATA_BINARY_PORT: String(binaryPort), STRATA_LOG_LEVEL: 'warn', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
    const start = async (): Promise<{ child: ChildProcess; output: () => string }> => {
      let output = '';
      const child = spawn('bash', ['-c', command], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
      child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
      await waitFor(
        'standalone ready',
        async () => {
          if (child.exitCode !== null) throw new Error(`the start command exited with ${child.exitCode}:\n${output}`);
          return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
        },
        { timeoutMs: 400_000, intervalMs: 500 },
      );
      return { child, output: () => output };
    };
    const stop = async (child: ChildProcess) => {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      stopGroup(child, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      stopGroup(child, 'SIGKILL');
    };

    const first = await start();
    expect(first.output()).toMatch(/Strata standalone is running/);
    expect(first.output()).toMatch(new RegExp(`binary protocol +strata://127\\.0\\.0\\.1:${binaryPort}`));
    expect((await call(url, 'PUT', '/admin/v1/topics/public/default/readme', { partitions: 1 })).status).toBe(201);
    const produced = await call(url, 'POST', '/v1/topics/public/default/readme/messages', { messages: [{ key: 'k', value: 'before restart' }, { value: 'second' }] });
    expect(produced.status).toBe(200);
    const got = await call(url, 'POST', '/v1/topics/public/default/readme/subscriptions/tour/receive', { max: 10, waitMs: 1000 });
    expect(got.body.messages.map((m: { value: string }) => m.value)).toEqual(['before restart', 'second']);
    expect((await call(url, 'POST', '/v1/topics/public/default/readme/subscriptions/tour/ack', { ids: [got.body.messages[0].id] })).status).toBe(200);
    await stop(first.child);

    const second = await start();
    const after = await call(url, 'POST', '/v1/topics/public/default/readme/subscriptions/tour/receive', { max: 10, waitMs: 1000 });
    expect(after.body.messages.map((m: { value: string }) => m.value)).toEqual(['second']);
    const audit = await call(url, 'POST', '/v1/topics/public/default/readme/subscriptions/audit/receive', { max: 10, waitMs: 1000 });
    expect(audit.body.messages.map((m: { value: string }) => m.value)).toEqual(['before restart', 'second']);
    await stop(second.child);
    expect(await fs.readdir(path.join(dir, 'data'))).toEqual(expect.arrayContaining(['bookie', 'metadata', 'objects']));
  });
});
