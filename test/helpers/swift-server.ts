// Starts OpenStack Swift with the s3api middleware (Debian's swift-* packages plus memcached) as five
// processes on free loopback ports, every file in one temp dir; kill/restart the proxy, clean up by pid.
// tempauth's user test:tester (secret "testing") is the S3 access key; s3api checks V4 signatures.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { waitFor } from '../../common/index.js';
import { track } from './child-process-group.js';
import { freePorts } from './free-port.js';
import { untilExit } from './until-exit.js';

export const SWIFT_CREDENTIALS = { accessKeyId: 'test:tester', secretAccessKey: 'testing' } as const;
export const SWIFT_REGION = 'us-east-1';
const BINARIES = ['swift-proxy-server', 'swift-account-server', 'swift-container-server', 'swift-object-server', 'swift-ring-builder', 'memcached'];
const START_TIMEOUT_MS = 45_000;
const run = promisify(execFile);

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, binary)));
}

/** Whether every program the helper needs is installed (apt-get install swift-proxy swift-account swift-container swift-object memcached). */
export function swiftInstalled(): boolean {
  return BINARIES.every(onPath);
}

type Role = 'memcached' | 'account' | 'container' | 'object' | 'proxy';
const STORAGE = ['account', 'container', 'object'] as const;

export class SwiftServer {
  private readonly children = new Map<Role, ChildProcess>();
  private readonly output = new Map<Role, string>();

  private constructor(
    readonly dir: string,
    private readonly ports: Record<Role, number>,
  ) {}

  static async start({ buckets = ['strata-test'] }: { buckets?: string[] } = {}): Promise<SwiftServer> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-swift-'));
    const [memcached, account, container, object, proxy] = await freePorts(5);
    const swift = new SwiftServer(dir, { memcached: memcached!, account: account!, container: container!, object: object!, proxy: proxy! });
    try {
      await swift.writeConfig();
      swift.spawn('memcached', 'memcached', ['-l', '127.0.0.1', '-p', String(memcached), '-U', '0', '-m', '32', ...(process.getuid?.() === 0 ? ['-u', 'root'] : [])]);
      for (const role of STORAGE) swift.spawn(role, `swift-${role}-server`, [path.join(dir, `${role}-server.conf`)]);
      swift.spawn('proxy', 'swift-proxy-server', [path.join(dir, 'proxy-server.conf')]);
      await Promise.all(([...STORAGE, 'proxy'] as const).map((role) => swift.waitHealthy(role)));
      await swift.createBuckets(buckets);
    } catch (err) {
      await swift.destroy();
      throw err;
    }
    return swift;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.ports.proxy}`;
  }

  private async writeConfig(): Promise<void> {
    const { dir, ports } = this;
    await fs.mkdir(path.join(dir, 'devices', 'd1'), { recursive: true });
    await fs.writeFile(path.join(dir, 'swift.conf'), [
      '[swift-hash]', 'swift_hash_path_suffix = strata-test', 'swift_hash_path_prefix = strata-test',
      '[storage-policy:0]', 'name = Policy-0', 'default = yes', '',
    ].join('\n'));
    // workers = 0: each server is one process, so its pid is the whole server.
    const common = ['bind_ip = 127.0.0.1', 'workers = 0', `swift_dir = ${dir}`, 'log_level = WARNING'];
    await Promise.all(STORAGE.map(async (role) => {
      await fs.writeFile(path.join(dir, `${role}-server.conf`), [
        '[DEFAULT]', ...common, `bind_port = ${ports[role]}`, 'mount_check = false', `devices = ${path.join(dir, 'devices')}`,
        '[pipeline:main]', `pipeline = healthcheck ${role}-server`,
        `[app:${role}-server]`, `use = egg:swift#${role}`,
        '[filter:healthcheck]', 'use = egg:swift#healthcheck', '',
      ].join('\n'));
      const builder = path.join(dir, `${role}.builder`);
      await run('swift-ring-builder', [builder, 'create', '6', '1', '1']);
      await run('swift-ring-builder', [builder, 'add', `r1z1-127.0.0.1:${ports[role]}/d1`, '100']);
      await run('swift-ring-builder', [builder, 'rebalance']);
    }));
    // [section name in the pipeline, egg entry point]
    const filters = [
      ['catch_errors', 'catch_errors'], ['gatekeeper', 'gatekeeper'], ['healthcheck', 'healthcheck'], ['proxy-logging', 'proxy_logging'],
      ['listing_formats', 'listing_formats'], ['bulk', 'bulk'], ['copy', 'copy'], ['slo', 'slo'], ['dlo', 'dlo'],
    ];
    await fs.writeFile(path.join(dir, 'proxy-server.conf'), [
      '[DEFAULT]', ...common, `bind_port = ${ports.proxy}`,
      '[pipeline:main]',
      // s3api right before the auth filter; slo after it (s3api's multipart uploads are SLOs).
      'pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server',
      '[app:proxy-server]', 'use = egg:swift#proxy', 'account_autocreate = true',
      '[filter:tempauth]', 'use = egg:swift#tempauth', `user_test_tester = ${SWIFT_CREDENTIALS.secretAccessKey} .admin`,
      '[filter:s3api]', 'use = egg:swift#s3api', `location = ${SWIFT_REGION}`,
      '[filter:cache]', 'use = egg:swift#memcache', `memcache_servers = 127.0.0.1:${ports.memcached}`,
      ...filters.flatMap(([section, egg]) => [`[filter:${section}]`, `use = egg:swift#${egg}`]), '',
    ].join('\n'));
  }

  private spawn(role: Role, command: string, args: string[]): void {
    this.output.set(role, '');
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => this.output.set(role, ((this.output.get(role) ?? '') + d.toString()).slice(-4000));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (err) => collect(Buffer.from(`\nspawn failed: ${err.message}`)));
    this.children.set(role, track(child));
  }

  private async waitHealthy(role: Exclude<Role, 'memcached'>): Promise<void> {
    const child = this.children.get(role)!;
    await untilExit(child, () => `swift ${role} server exited: ${this.output.get(role)}`, waitFor(`swift ${role} server on port ${this.ports[role]}`, async () => {
      const res = await fetch(`http://127.0.0.1:${this.ports[role]}/healthcheck`, { signal: AbortSignal.timeout(1000) });
      return res.ok && (await res.text()) === 'OK';
    }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 100 }));
  }

  private async createBuckets(buckets: string[]): Promise<void> {
    const client = new S3Client({
      endpoint: this.endpoint, region: SWIFT_REGION, forcePathStyle: true, credentials: SWIFT_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      for (const Bucket of buckets) {
        // The first requests may race the account ring settling: retry until the deadline.
        await waitFor(`swift to create bucket ${Bucket}`, () => client.send(new CreateBucketCommand({ Bucket })).then(() => true), { timeoutMs: 15_000, intervalMs: 200 });
      }
    } finally {
      client.destroy();
    }
  }

  private async killRole(role: Role): Promise<void> {
    const child = this.children.get(role);
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      return;
    }
    await exited;
  }

  /** kill -9 of the proxy: the S3 endpoint is gone, the storage servers and data stay. */
  async killProxy(): Promise<void> {
    await this.killRole('proxy');
  }

  async restartProxy(): Promise<void> {
    await this.killRole('proxy');
    this.spawn('proxy', 'swift-proxy-server', [path.join(this.dir, 'proxy-server.conf')]);
    await this.waitHealthy('proxy');
  }

  /** Kills every process by pid and removes the directory. */
  async destroy(): Promise<void> {
    await Promise.all([...this.children.keys()].map((role) => this.killRole(role)));
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
