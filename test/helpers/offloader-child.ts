// An offloader in its own process, so tests can kill -9 it at a chosen point: runs the next tiering
// steps of one ledger, printing "phase <phase> <objectKey> [bytes]" for every observed phase, and at
// `pauseAt` (once at least `pauseAfterBytes` were handed to the store, for upload-progress) prints
// "paused <phase>" and waits for ever. Prints "outcome <outcome>" after each step, "done" at the end.
// Usage: node --import tsx offloader-child.ts '<json: Config>'
import { silentLogger } from '../../common/index.js';
import { LedgerClient } from '../../ledger/index.js';
import { EtcdMetadataStore } from '../../metadata/etcd/index.js';
import { LocalDirectoryObjectStore, Offloader, type ObjectStore, type OffloadEvent } from '../../objectstore/index.js';
import { S3ObjectStore } from '../../objectstore/s3/index.js';

interface Config {
  endpoints: string[];
  namespace: string;
  ledgerId: number;
  s3?: { endpoint: string; bucket: string; region: string; prefix: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  localRoot?: string;
  pauseAt?: OffloadEvent['phase'];
  pauseAfterBytes?: number;
  blockSizeBytes?: number;
  gracePeriodMs?: number;
  sessionTtlMs?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const print = (line: string) => process.stdout.write(`${line}\n`);

async function openStore(): Promise<ObjectStore> {
  if (config.s3) {
    const { endpoint, bucket, region, prefix, credentials } = config.s3;
    return new S3ObjectStore({ endpoint, bucket, region, prefix, credentials, forcePathStyle: true, requestTimeoutMs: 10_000 });
  }
  return LocalDirectoryObjectStore.open({ root: config.localRoot! });
}

async function main(): Promise<void> {
  const store = new EtcdMetadataStore({ endpoints: config.endpoints, namespace: config.namespace });
  const ledgers = await LedgerClient.start({ store, owner: `offloader-${process.pid}`, logger: silentLogger, bookieClient: { requestTimeoutMs: 5000, connectTimeoutMs: 2000 } });
  const objects = await openStore();
  const observer = async (event: OffloadEvent): Promise<void> => {
    print(`phase ${event.phase} ${event.objectKey}${event.bytes === undefined ? '' : ` ${event.bytes}`}`);
    if (event.phase !== config.pauseAt || (event.bytes ?? 0) < (config.pauseAfterBytes ?? 0)) return;
    print(`paused ${event.phase}`);
    await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
  };
  const offloader = await Offloader.start({
    ledgers, objects, owner: `offloader-${process.pid}`, logger: silentLogger, observer, blockSizeBytes: config.blockSizeBytes,
    gracePeriodMs: config.gracePeriodMs ?? 0, sessionTtlMs: config.sessionTtlMs ?? 2000,
  });
  for (;;) {
    const outcome = await offloader.runOnce(config.ledgerId);
    print(`outcome ${outcome}`);
    if (outcome !== 'offloaded' && outcome !== 'lost') break;
  }
  print('done');
  await offloader.close();
  await objects.close();
  await ledgers.close();
  await store.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`offloader-child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
