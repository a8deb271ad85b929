// Starts s3rver (npm, an S3 server keeping its data on disk) as its own process on a loopback port with
// a temp data dir; stop, kill -9 and restart it on the same port and data (for outage tests), by pid.
// s3rver knows one account: access key S3RVER, secret S3RVER. It rejects unknown access keys but does
// not check V4 signatures, so a wrong secret with the right key id is accepted.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../common/index.js';
import { track } from './child-process-group.js';
import { untilExit } from './until-exit.js';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3RVER_REGION = 'us-east-1';
export const TEST_BUCKET = 'strata-test';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const S3RVER_BIN = path.join(repoRoot, 'node_modules', 's3rver', 'bin', 's3rver.js');
const START_TIMEOUT_MS = 15_000;

export interface S3ServerOptions {
  /** Buckets created at every start (default: TEST_BUCKET). */
  buckets?: string[];
}

export class S3Server {
  private child: ChildProcess | undefined;
  private port = 0;
  private output = '';

  private constructor(
    readonly dataDir: string,
    readonly buckets: string[],
  ) {}

  static async start({ buckets = [TEST_BUCKET] }: S3ServerOptions = {}): Promise<S3Server> {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-s3rver-'));
    const server = new S3Server(dataDir, buckets);
    try {
      await server.spawnAndWait();
    } catch (err) {
      await server.destroy();
      throw err;
    }
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns s3rver (port 0 the first time, the same port afterwards) and waits for its "listening" line. */
  private async spawnAndWait(): Promise<void> {
    this.output = '';
    const args = ['--openssl-legacy-provider', S3RVER_BIN, '-d', this.dataDir, '-a', '127.0.0.1', '-p', String(this.port), '--silent'];
    for (const bucket of this.buckets) args.push('--configure-bucket', bucket);
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // no test-runner loaders in the server
    // `node` itself, not npx: the pid we record is the server's, so killing it stops the server.
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-8000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (err) => collect(Buffer.from(`\nspawn failed: ${err.message}`)));
    this.child = track(child);
    const port = await untilExit(child, () => `s3rver exited: ${this.output}`, waitFor(
      `s3rver to listen (data ${this.dataDir})`,
      () => {
        const m = /S3rver listening on [\d.]+:(\d+)/.exec(this.output);
        return m ? Number(m[1]) : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 20 },
    ));
    this.port = port;
  }

  private async waitExit(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }

  /** kill -9: connections drop at once, the data dir stays. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.waitExit();
  }

  /** SIGTERM, then SIGKILL after 3 s. */
  async stop(): Promise<void> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), 3000);
    await this.waitExit();
    clearTimeout(timer);
  }

  /** Starts the server again on the same port and data dir (stopping it first if it runs). */
  async restart(): Promise<void> {
    if (this.running) await this.kill();
    await this.spawnAndWait();
  }

  /** Kills the server and removes its data dir. */
  async destroy(): Promise<void> {
    await this.kill();
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}
