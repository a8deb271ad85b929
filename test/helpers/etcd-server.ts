// Starts real etcd processes (Debian's etcd-server) on free loopback ports with a temp data dir:
// one member or a 3-member cluster; stop, restart, kill -9, pause and resume them by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../common/index.js';
import { freePorts } from './free-port.js';
import { track } from './child-process-group.js';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process: ChildProcess | undefined;
}

/** etcd reads every ETCD_* variable and exits when one duplicates a flag: never pass them on. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_')) env[k] = v;
  return env;
}

export class EtcdCluster {
  private constructor(
    readonly members: EtcdMember[],
    private readonly rootDir: string,
  ) {}

  /** Starts `size` members (1 or 3) and waits until every one answers its health check. */
  static async start({ size = 1 }: { size?: number } = {}): Promise<EtcdCluster> {
    const rootDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-etcd-'));
    const ports = await freePorts(size * 2);
    const members: EtcdMember[] = [];
    for (let i = 0; i < size; i++) {
      members.push({
        name: `n${i + 1}`,
        clientUrl: `http://127.0.0.1:${ports[2 * i]}`,
        peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
        dataDir: path.join(rootDir, `n${i + 1}`),
        process: undefined,
      });
    }
    const cluster = new EtcdCluster(members, rootDir);
    try {
      for (const m of members) cluster.spawnMember(m);
      await Promise.all(members.map((m) => cluster.waitHealthy(m)));
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  member(i: number): EtcdMember {
    const m = this.members[i];
    if (!m) throw new Error(`no etcd member ${i}`);
    return m;
  }

  private spawnMember(m: EtcdMember): void {
    const initialCluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    const args = [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', m.clientUrl,
      '--advertise-client-urls', m.clientUrl,
      '--listen-peer-urls', m.peerUrl,
      '--initial-advertise-peer-urls', m.peerUrl,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', path.basename(this.rootDir),
      '--logger=zap',
      '--log-level=error',
    ];
    const child = spawn('etcd', args, { env: scrubbedEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.once('error', (err) => {
      stderr += `\nspawn failed: ${err.message}`;
    });
    (child as ChildProcess & { stderrTail?: () => string }).stderrTail = () => stderr;
    m.process = track(child);
  }

  private async waitHealthy(m: EtcdMember, timeoutMs = 30_000): Promise<void> {
    const child = m.process;
    await waitFor(
      `etcd ${m.name} at ${m.clientUrl} to become healthy`,
      async () => {
        if (child && child.exitCode !== null) {
          const tail = (child as ChildProcess & { stderrTail?: () => string }).stderrTail?.() ?? '';
          throw new Error(`etcd ${m.name} exited with ${child.exitCode}: ${tail}`);
        }
        const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        if (!res.ok) return false;
        const body = (await res.json()) as { health?: string };
        return body.health === 'true';
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  private async waitExit(m: EtcdMember): Promise<void> {
    const child = m.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  }

  private signal(i: number, sig: NodeJS.Signals): void {
    const pid = this.member(i).process?.pid;
    if (pid !== undefined) process.kill(pid, sig);
  }

  /** kill -9 of member i; its data dir stays. */
  async kill(i = 0): Promise<void> {
    this.signal(i, 'SIGCONT');
    this.signal(i, 'SIGKILL');
    await this.waitExit(this.member(i));
  }

  /** Graceful stop (SIGTERM, then SIGKILL after 5 s: stopping a leader without peers can hang). */
  async stop(i = 0): Promise<void> {
    const m = this.member(i);
    this.signal(i, 'SIGCONT');
    this.signal(i, 'SIGTERM');
    const timer = setTimeout(() => this.signal(i, 'SIGKILL'), 5000);
    await this.waitExit(m);
    clearTimeout(timer);
  }

  /** Starts member i again on the same ports and data dir. */
  async restart(i = 0): Promise<void> {
    const m = this.member(i);
    if (m.process && m.process.exitCode === null && m.process.signalCode === null) await this.kill(i);
    this.spawnMemberRejoin(m);
    await this.waitHealthy(m);
  }

  private spawnMemberRejoin(m: EtcdMember): void {
    // A member with an existing data dir ignores the --initial-* flags, so the same spawn works.
    this.spawnMember(m);
  }

  pause(i = 0): void {
    this.signal(i, 'SIGSTOP');
  }

  resume(i = 0): void {
    this.signal(i, 'SIGCONT');
  }

  /** Kills every member and removes the data directories. */
  async destroy(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.kill(i)));
    await fs.rm(this.rootDir, { recursive: true, force: true });
  }
}
