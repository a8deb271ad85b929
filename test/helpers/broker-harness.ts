// An in-process broker on real bookie processes and the run's etcd: the HTTP contract tests talk to
// it over real HTTP. Brokers can be stopped and started again on the same store (restarts).
import { inject } from 'vitest';
import { Broker, type BrokerConfig } from '../../broker/index.js';
import { silentLogger } from '../../common/index.js';
import type { LedgerClient } from '../../ledger/index.js';
import type { EtcdMetadataStore } from '../../metadata/index.js';
import { BookieCluster } from './bookie-cluster.js';

export class BrokerHarness {
  private readonly brokers: Broker[] = [];

  private constructor(readonly cluster: BookieCluster, readonly store: EtcdMetadataStore, readonly ledgers: LedgerClient) {}

  static async start(bookies = 1): Promise<BrokerHarness> {
    const cluster = await BookieCluster.start(bookies, inject('etcdEndpoints'));
    return new BrokerHarness(cluster, cluster.store(), await cluster.ledgerClient());
  }

  async broker(config: Partial<BrokerConfig> = {}): Promise<Broker> {
    const q = Math.min(this.cluster.bookies.length, 2);
    const broker = await Broker.start({
      id: 'broker-1',
      store: this.store,
      ledgers: this.ledgers,
      httpPort: 0,
      sessionTtlMs: 2000,
      managedLedger: { ensembleSize: q, writeQuorum: q, ackQuorum: q },
      logger: silentLogger,
      ...config,
    });
    this.brokers.push(broker);
    return broker;
  }

  async destroy(): Promise<void> {
    for (const b of this.brokers) await b.stop().catch(() => undefined);
    await this.cluster.destroy();
  }
}

/** A small JSON HTTP client for tests. */
export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
