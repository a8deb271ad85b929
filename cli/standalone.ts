// `strata standalone` (= `npm start`): everything in one process on embedded defaults — the embedded
// durable metadata store, one bookie, one broker with the HTTP API — with its data under one directory.
import fs from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedMetadataStore } from '../metadata/index.js';
import { Bookie } from '../bookie/index.js';
import { LedgerClient } from '../ledger/index.js';
import { Broker } from '../broker/index.js';
import { createLogger } from '../common/index.js';
import { LocalDirectoryObjectStore } from '../objectstore/index.js';

export interface StandaloneOptions {
  dataDir: string;
  httpHost: string;
  httpPort: number;
  binaryPort: number;
}

export class PortInUseError extends Error {}

export async function runStandalone(options: StandaloneOptions): Promise<void> {
  const log = createLogger('standalone');
  const dataDir = path.resolve(options.dataDir);
  await fs.mkdir(dataDir, { recursive: true });
  const store = await EmbeddedMetadataStore.open(path.join(dataDir, 'metadata'));
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const stopAll = async () => {
    for (const stop of stops.splice(0)) await stop().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    const bookie = await Bookie.start({ id: 'standalone-bookie', dataDir: path.join(dataDir, 'bookie'), store, port: 0, logger: log.child({ part: 'bookie' }) });
    stops.unshift(() => bookie.stop());
    const ledgers = await LedgerClient.start({ store, owner: 'standalone', logger: log.child({ part: 'ledger-client' }) });
    stops.unshift(() => ledgers.close());
    await ledgers.registry.waitForBookies(1, 10_000);
    const objectsDir = path.join(dataDir, 'objects');
    const objects = await LocalDirectoryObjectStore.open({ root: objectsDir, create: true });
    stops.push(() => objects.close());
    const diskFillRatio = async () => {
      const s = await fs.statfs(dataDir);
      return 1 - Number(s.bavail) / Number(s.blocks);
    };
    let broker: Broker;
    try {
      broker = await Broker.start({
        id: 'standalone',
        store,
        ledgers,
        httpHost: options.httpHost,
        httpPort: options.httpPort,
        binaryPort: options.binaryPort,
        managedLedger: { ensembleSize: 1, writeQuorum: 1, ackQuorum: 1 },
        tiering: { objects, diskFillRatio },
        logger: log.child({ part: 'broker' }),
        processMetrics: true,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new PortInUseError(`port ${options.httpHost}:${(err as { port?: number }).port ?? options.httpPort} is already in use; stop what holds it or pass --http-port N / --binary-port N`);
      }
      throw err;
    }
    stops.unshift(() => broker.stop());
    const url = broker.httpUrl;
    process.stdout.write(
      `\nStrata standalone is running (data in ${dataDir})\n` +
        `  HTTP API         ${url}   (readiness: ${url}/readyz, metrics: ${url}/metrics)\n` +
        `  metadata store   embedded, durable: ${path.join(dataDir, 'metadata')}\n` +
        `  bookie           ${bookie.address} (journal and entry logs in ${path.join(dataDir, 'bookie')})\n` +
        `  object store     local directory ${objectsDir} (closed ledgers tier here after 4 h, at 1 GiB, or past 85 % disk)\n` +
        `  binary protocol  ${broker.binaryUrl}   (TypeScript client: connect('${broker.binaryUrl}'))\n\n` +
        `Try it:\n` +
        `  curl -s -X POST ${url}/v1/topics/public/default/demo/messages -H 'content-type: application/json' \\\n` +
        `       -d '{"messages":[{"key":"k1","value":"hello strata"}]}'\n` +
        `  curl -s -X POST ${url}/v1/topics/public/default/demo/subscriptions/demo-sub/receive -H 'content-type: application/json' \\\n` +
        `       -d '{"max":10,"waitMs":1000}'\n` +
        `(create the topic first: curl -s -X PUT ${url}/admin/v1/topics/public/default/demo -H 'content-type: application/json' -d '{"partitions":1}')\n\n` +
        `Stop with Ctrl-C or SIGTERM.\n`,
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log.info('shutting down');
  await stopAll();
  log.info('stopped');
}
