// A separate process that uses a metadata store, so tests can kill -9 it: it holds a session-bound
// key, or writes keys one after another and prints each one once its put was acknowledged.
// Usage: node --import tsx metadata-child.ts '<json: {backend, endpoints?, namespace?, dir?, mode, ttlMs?}>'
import { EmbeddedMetadataStore, type MetadataStore } from '../../metadata/index.js';
import { EtcdMetadataStore } from '../../metadata/etcd/index.js';

interface ChildConfig {
  backend: 'etcd' | 'embedded';
  endpoints?: string[];
  namespace?: string;
  dir?: string;
  mode: 'hold-session' | 'write-loop';
  ttlMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;

async function openStore(): Promise<MetadataStore> {
  if (config.backend === 'etcd') return new EtcdMetadataStore({ endpoints: config.endpoints ?? [], namespace: config.namespace });
  return EmbeddedMetadataStore.open(config.dir ?? '');
}

async function main(): Promise<void> {
  const store = await openStore();
  if (config.mode === 'hold-session') {
    const session = await store.createSession({ ttlMs: config.ttlMs ?? 2000 });
    await store.put('/held/bound', Buffer.from(String(process.pid)), { session });
    await store.put('/held/durable', Buffer.from(String(process.pid)));
    process.stdout.write(`ready ${session.id}\n`);
    setInterval(() => undefined, 1 << 30);
    return;
  }
  const session = await store.createSession({ ttlMs: config.ttlMs ?? 2000 });
  await store.put('/loop/bound', Buffer.from('x'), { session });
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    // A mix of plain puts and transactions, several in flight so group commit is exercised.
    await Promise.all([
      store.put(`/loop/k${i}`, Buffer.from(`v${i}`)),
      store.txn({ compares: [{ key: `/loop/t${i}`, version: 'absent' }], ops: [{ type: 'put', key: `/loop/t${i}`, value: Buffer.from(`t${i}`) }] }),
    ]);
    process.stdout.write(`acked ${i}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`metadata-child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
