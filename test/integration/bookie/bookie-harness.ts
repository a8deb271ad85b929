// Shared set-up of the bookie process tests: the run's etcd, a namespace per test, clients to close.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { BookieClient } from '../../../ledger/index.js';
import { EtcdMetadataStore } from '../../../metadata/index.js';
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
    async bookie(options: { dataDir?: string; id?: string } = {}): Promise<BookieProcess> {
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

/** A payload whose bytes are a function of (ledger, entry), of a size that varies with the entry. */
export function payloadFor(ledgerId: number, entryId: number, size = 100 + ((entryId * 7919) % 65_000)): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (ledgerId * 1_000_003 + entryId * 97 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
