// Shared set-up of the bookie process tests: the run's etcd, a namespace per test, clients to close.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { BookieClient } from '../../../ledger/index.js';
import { EtcdMetadataStore } from '../../../metadata/etcd/index.js';
import { waitFor } from '../../../common/index.js';
import { BookieProcess } from '../../helpers/bookie-process.js';

export function bookieTestKit() {
  const bookies: BookieProcess[] = [];
  const clients: BookieClient[] = [];
  const stores: EtcdMetadataStore[] = [];
  const namespace = `/t-${randomBytes(6).toString('hex')}`;
  const etcdEndpoints = inject('etcdEndpoints');
  return {
    namespace,
    etcdEndpoints,
    async bookie(options: { dataDir?: string; id?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BookieProcess> {
      const b = await BookieProcess.create({ etcdEndpoints, namespace, ...options });
      bookies.push(b);
      return b;
    },
    async client(b: BookieProcess): Promise<BookieClient> {
      const c = await waitFor(`connect to ${b.address}`, () => BookieClient.connect(b.address), { timeoutMs: 10_000, intervalMs: 50 });
      clients.push(c);
      return c;
    },
    store(): EtcdMetadataStore {
      const s = new EtcdMetadataStore({ endpoints: etcdEndpoints, namespace });
      stores.push(s);
      return s;
    },
    async cleanup(): Promise<void> {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
      await Promise.all(bookies.splice(0).map((b) => b.destroy()));
      await Promise.all(stores.splice(0).map((s) => s.close()));
    },
  };
}

export { payloadFor } from '../../helpers/payload.js';
