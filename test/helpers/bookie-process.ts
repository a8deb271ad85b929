// Runs a real bookie process (`strata bookie`) against an etcd, for crash and protocol tests.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnTs, type NodeChild } from './node-child.js';
import { freePort } from './free-port.js';

export interface BookieProcessOptions {
  id?: string;
  dataDir?: string;
  etcdEndpoints: string[];
  namespace: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Extra arguments for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export class BookieProcess {
  child: NodeChild | undefined;
  readonly id: string;
  readonly dataDir: string;
  private port = 0;

  private constructor(private readonly options: BookieProcessOptions, dataDir: string) {
    this.id = options.id ?? `bookie-${randomBytes(3).toString('hex')}`;
    this.dataDir = dataDir;
  }

  static async create(options: BookieProcessOptions): Promise<BookieProcess> {
    const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bookie-')));
    const b = new BookieProcess(options, dataDir);
    b.port = options.port ?? (await freePort());
    return b;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Spawns the bookie; resolves once it serves (rejects with its stderr if it exits first). */
  async start(timeoutMs = 30_000): Promise<void> {
    this.child = this.spawn();
    const line = await this.child.waitForLine(/"msg":"bookie serving"/, timeoutMs);
    this.metricsUrl = (JSON.parse(line) as { metricsUrl?: string }).metricsUrl;
  }

  /** The Prometheus endpoint of the running process. */
  metricsUrl: string | undefined;

  /** Spawns the bookie and resolves with its exit code and output, for starts that must fail. */
  async startExpectingFailure(timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
    const child = this.spawn();
    this.child = child;
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bookie did not exit within ${timeoutMs} ms`)), timeoutMs);
      child.process.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { code, output: child.lines.join('\n') + '\n' + child.stderr() };
  }

  private spawn(): NodeChild {
    return spawnTs(
      'cli/main.ts',
      ['bookie', '--id', this.id, '--data-dir', this.dataDir, '--port', String(this.port), '--etcd', this.options.etcdEndpoints.join(','), '--etcd-namespace', this.options.namespace, '--session-ttl-ms', '2000', '--metrics-port', '0'],
      { STRATA_LOG_LEVEL: 'info', ...this.options.env },
      this.options.nodeArgs,
    );
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  async kill9(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.kill('SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.child?.kill('SIGKILL');
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}
