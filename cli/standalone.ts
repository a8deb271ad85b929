// `strata standalone`: everything in one process on embedded defaults, data under one directory.
// Today it runs the embedded, durable metadata store; the bookie, broker and HTTP API join it as
// they land.
import path from 'node:path';
import { EmbeddedMetadataStore } from '../metadata/index.js';
import { createLogger } from '../common/index.js';

export interface StandaloneOptions {
  dataDir: string;
}

export async function runStandalone(options: StandaloneOptions): Promise<void> {
  const log = createLogger('standalone');
  const dataDir = path.resolve(options.dataDir);
  const metadataDir = path.join(dataDir, 'metadata');
  const store = await EmbeddedMetadataStore.open(metadataDir);
  const { revision } = await store.list('');
  log.info({ dataDir, metadataDir, revision }, 'embedded metadata store open');
  process.stdout.write(
    `Strata standalone is running with its data in ${dataDir}\n` +
      `  metadata store: embedded, durable (${metadataDir}), revision ${revision}\n` +
      `  not in this build yet: bookie, broker, HTTP API (127.0.0.1:8080), binary protocol (127.0.0.1:6650)\n` +
      `Stop with Ctrl-C (SIGINT) or SIGTERM.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await store.close();
  log.info('stopped');
}
