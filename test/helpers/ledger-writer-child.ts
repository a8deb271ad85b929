// A ledger writer in its own process, so tests can SIGSTOP or kill -9 it: creates a ledger, prints
// "ledger <id>", then appends entries (payloadFor(id, e)) with a window in flight and prints
// "confirmed <e>" for every confirmation, in order, and "failed <code>" once the writer fails.
// Usage: node --import tsx ledger-writer-child.ts '<json: {endpoints, namespace, e, w, a, window?, intervalMs?}>'
import { LedgerClient } from '../../ledger/index.js';
import { EtcdMetadataStore } from '../../metadata/etcd/index.js';
import { silentLogger } from '../../common/index.js';
import { payloadFor } from './payload.js';

interface Config {
  endpoints: string[];
  namespace: string;
  e: number;
  w: number;
  a: number;
  window?: number;
  intervalMs?: number;
  size?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;

async function main(): Promise<void> {
  const store = new EtcdMetadataStore({ endpoints: config.endpoints, namespace: config.namespace });
  const client = await LedgerClient.start({ store, owner: `writer-${process.pid}`, logger: silentLogger, bookieClient: { requestTimeoutMs: 3000, connectTimeoutMs: 1000 } });
  await client.registry.waitForBookies(config.e);
  const writer = await client.createLedger({ ensembleSize: config.e, writeQuorum: config.w, ackQuorum: config.a });
  const id = writer.ledgerId;
  process.stdout.write(`ledger ${id}\n`);
  const window = config.window ?? 8;
  let next = 0;
  let inflight = 0;
  let failed = false;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (!failed && inflight < window) {
        const entryId = next++;
        inflight++;
        writer.append(payloadFor(id, entryId, config.size)).then(
          (e) => {
            inflight--;
            process.stdout.write(`confirmed ${e}\n`);
            if (config.intervalMs) setTimeout(pump, config.intervalMs);
            else pump();
          },
          (err: unknown) => {
            inflight--;
            if (!failed) {
              failed = true;
              process.stdout.write(`failed ${(err as { code?: string }).code ?? String(err)}\n`);
              resolve();
            }
          },
        );
        if (config.intervalMs) break;
      }
    };
    pump();
  });
  setInterval(() => undefined, 1 << 30);
}

main().catch((err: unknown) => {
  process.stderr.write(`ledger-writer-child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
