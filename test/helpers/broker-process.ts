// `strata broker` as a real process on the run's etcd and a BookieCluster, for failover tests.
import { waitFor } from '../../common/index.js';
import { freePort } from './free-port.js';
import { spawnTs, type NodeChild } from './node-child.js';
import type { BookieCluster } from './bookie-cluster.js';

export class BrokerProcess {
  child: NodeChild | undefined;

  private constructor(
    readonly id: string,
    readonly port: number,
    readonly binaryPort: number,
    private readonly cluster: BookieCluster,
    private readonly extraArgs: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(id: string, cluster: BookieCluster, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BrokerProcess> {
    return new BrokerProcess(id, await freePort(), await freePort(), cluster, extraArgs, env);
  }

  get binaryUrl(): string {
    return `strata://127.0.0.1:${this.binaryPort}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  async start(): Promise<void> {
    const q = String(Math.min(2, this.cluster.bookies.length));
    this.child = spawnTs(
      'cli/main.ts',
      ['broker', '--id', this.id, '--http-port', String(this.port), '--binary-port', String(this.binaryPort), '--etcd', this.cluster.etcdEndpoints.join(','), '--etcd-namespace', this.cluster.namespace,
        '--session-ttl-ms', '2000', '--ensemble-size', q, '--write-quorum', q, '--ack-quorum', q, ...this.extraArgs],
      { STRATA_LOG_LEVEL: 'warn', ...this.env },
    );
    const child = this.child;
    await waitFor(
      `broker ${this.id} ready`,
      async () => {
        if (child.process.exitCode !== null) throw new Error(`broker ${this.id} exited: ${child.stderr()}`);
        return (await fetch(`${this.url}/readyz`).catch(() => undefined))?.status === 200;
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
}
