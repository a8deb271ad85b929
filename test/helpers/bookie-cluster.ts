// N real bookie processes on the run's shared etcd, in a namespace of their own, plus the clients a
// test needs (metadata store, ledger client); everything is closed and killed by destroy().
import { randomBytes } from 'node:crypto';
import { LedgerClient } from '../../ledger/index.js';
import { EtcdMetadataStore } from '../../metadata/etcd/index.js';
import { silentLogger } from '../../common/index.js';
import { BookieProcess, type BookieProcessOptions } from './bookie-process.js';

export class BookieCluster {
  private readonly closers: Array<() => Promise<void>> = [];

  private constructor(
    readonly etcdEndpoints: string[],
    readonly namespace: string,
    readonly bookies: BookieProcess[],
  ) {}

  /** Starts `count` bookies; `each(i)` may set a bookie's id, port or environment (default id: bookie-<i + 1>). */
  static async start(count: number, etcdEndpoints: string[], each: (i: number) => Partial<BookieProcessOptions> = () => ({})): Promise<BookieCluster> {
    const namespace = `/t-${randomBytes(6).toString('hex')}`;
    const bookies: BookieProcess[] = [];
    for (let i = 0; i < count; i++) bookies.push(await BookieProcess.create({ id: `bookie-${i + 1}`, ...each(i), etcdEndpoints, namespace }));
    const cluster = new BookieCluster(etcdEndpoints, namespace, bookies);
    try {
      await Promise.all(bookies.map((b) => b.start()));
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
    return cluster;
  }

  store(): EtcdMetadataStore {
    const s = new EtcdMetadataStore({ endpoints: this.etcdEndpoints, namespace: this.namespace });
    this.closers.push(() => s.close());
    return s;
  }

  /** A ledger client whose registry already sees `waitForBookies` bookies (default: all of them). */
  async ledgerClient(waitForBookies = this.bookies.length, requestTimeoutMs = 5000): Promise<LedgerClient> {
    const client = await LedgerClient.start({ store: this.store(), owner: 'test', logger: silentLogger, bookieClient: { requestTimeoutMs, connectTimeoutMs: 2000 } });
    this.closers.unshift(() => client.close());
    await client.registry.waitForBookies(waitForBookies);
    return client;
  }

  bookie(id: string): BookieProcess {
    const b = this.bookies.find((x) => x.id === id);
    if (!b) throw new Error(`no bookie ${id}`);
    return b;
  }

  async destroy(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
    await Promise.all(this.bookies.map((b) => b.destroy()));
  }
}
