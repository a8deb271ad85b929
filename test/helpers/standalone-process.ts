// `strata standalone` as a real process on a free port with its own data dir, for crash tests.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../common/index.js';
import { freePorts } from './free-port.js';
import { spawnTs, type NodeChild } from './node-child.js';

export class StandaloneProcess {
  child: NodeChild | undefined;

  private constructor(readonly dataDir: string, readonly port: number, readonly binaryPort: number) {}

  static async create(): Promise<StandaloneProcess> {
    const [port, binaryPort] = await freePorts(2);
    return new StandaloneProcess(await fs.mkdtemp(path.join(os.tmpdir(), 'strata-standalone-')), port!, binaryPort!);
  }

  /** The binary protocol URL (strata://…). */
  get binaryUrl(): string {
    return `strata://127.0.0.1:${this.binaryPort}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawnTs('cli/main.ts', ['standalone', '--data-dir', this.dataDir, '--http-port', String(this.port), '--binary-port', String(this.binaryPort)], { STRATA_LOG_LEVEL: 'warn' });
    const child = this.child;
    await waitFor(
      'standalone ready',
      async () => {
        if (child.process.exitCode !== null) throw new Error(`standalone exited: ${child.stderr()}`);
        const res = await fetch(`${this.url}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  async kill9(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.kill('SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.kill9();
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}
