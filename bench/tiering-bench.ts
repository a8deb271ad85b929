// `npm run bench:tiering`: a backlog of closed ledgers (default 1 GiB, BENCH_BYTES) on 2 bookie
// processes (ensemble 2, write/ack quorum 2/2), read back by a catch-up consumer from the bookies (the
// baseline), then offloaded to an S3 server on loopback that the bench starts (s3rver by default,
// BENCH_S3=swift for OpenStack Swift s3api), then read back by the same consumer from the object store.
// Prints offload MB/s, both catch-up read rates (medians of BENCH_REPEATS alternating runs), peak RSS of
// each phase and the ratio (goal ≥ 50 %).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { LedgerClient, type LedgerMetadata } from '../ledger/index.js';
import { EtcdMetadataStore } from '../metadata/etcd/index.js';
import { silentLogger } from '../common/index.js';
import { BlockCache, OffloadedLedgerReader, Offloader } from '../objectstore/index.js';
import { S3ObjectStore } from '../objectstore/s3/index.js';
import { EtcdCluster } from '../test/helpers/etcd-server.js';
import { BookieProcess } from '../test/helpers/bookie-process.js';
import { S3RVER_CREDENTIALS, S3RVER_REGION, S3Server } from '../test/helpers/s3-server.js';
import { SWIFT_CREDENTIALS, SWIFT_REGION, SwiftServer, swiftInstalled } from '../test/helpers/swift-server.js';
import { machineSummary } from './lib/machine.js';

const MiB = 1024 * 1024;
const MB = 1e6;
const TOTAL_BYTES = Number(process.env.BENCH_BYTES ?? 1024 * MiB);
const LEDGER_BYTES = Number(process.env.BENCH_LEDGER_BYTES ?? 128 * MiB);
const ENTRY_BYTES = Number(process.env.BENCH_ENTRY_BYTES ?? 64 * 1024);
const READ_BATCH = Number(process.env.BENCH_READ_BATCH_ENTRIES ?? 64);
const BLOCK_BYTES = Number(process.env.BENCH_BLOCK_BYTES ?? MiB);
const CACHE_BYTES = Number(process.env.BENCH_CACHE_BYTES ?? 64 * MiB);
const READ_AHEAD_BYTES = process.env.BENCH_READ_AHEAD_BYTES === undefined ? undefined : Number(process.env.BENCH_READ_AHEAD_BYTES);
const MAX_FETCH_BYTES = process.env.BENCH_MAX_FETCH_BYTES === undefined ? undefined : Number(process.env.BENCH_MAX_FETCH_BYTES);
const SERVER = process.env.BENCH_S3 ?? 's3rver';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BUCKET = 'strata-bench';

/** Samples this process's RSS every 20 ms; `peak()` is the highest since the last `reset()`. */
class RssPeak {
  private max = 0;
  private readonly timer = setInterval(() => this.sample(), 20);
  sample(): void {
    this.max = Math.max(this.max, process.memoryUsage().rss);
  }
  reset(): void {
    (globalThis as { gc?: () => void }).gc?.();
    this.max = process.memoryUsage().rss;
  }
  peak(): string {
    this.sample();
    return `${(this.max / MiB).toFixed(0)} MiB`;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

interface Reader {
  read(first: number, last: number): Promise<Array<{ payload: Buffer }>>;
}

/** The catch-up consumer: batches of READ_BATCH entries, one after the other, every ledger in order. */
async function catchUp(ledgers: LedgerMetadata[], open: (m: LedgerMetadata) => Promise<Reader>): Promise<{ bytes: number; seconds: number }> {
  const start = performance.now();
  let bytes = 0;
  for (const m of ledgers) {
    const reader = await open(m);
    for (let first = 0; first <= m.lastEntryId; first += READ_BATCH) {
      for (const e of await reader.read(first, Math.min(m.lastEntryId, first + READ_BATCH - 1))) bytes += e.payload.length;
    }
  }
  return { bytes, seconds: (performance.now() - start) / 1000 };
}

async function startServer(): Promise<{ endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; label: string; serverRss: () => string; destroy: () => Promise<void> }> {
  if (SERVER === 'swift') {
    if (!swiftInstalled()) throw new Error('BENCH_S3=swift: the swift-* packages and memcached are not installed');
    const swift = await SwiftServer.start({ buckets: [BUCKET] });
    return { endpoint: swift.endpoint, region: SWIFT_REGION, credentials: SWIFT_CREDENTIALS, label: 'OpenStack Swift s3api (5 processes)', serverRss: () => 'n/a', destroy: () => swift.destroy() };
  }
  const s3 = await S3Server.start({ buckets: [BUCKET] });
  const serverRss = () => {
    try {
      const status = fs.readFileSync(`/proc/${s3.pid}/status`, 'utf8');
      return `${(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024).toFixed(0)} MiB`;
    } catch {
      return 'n/a';
    }
  };
  return { endpoint: s3.endpoint, region: S3RVER_REGION, credentials: S3RVER_CREDENTIALS, label: 's3rver 3.7.1 (one Node process, data on disk)', serverRss, destroy: () => s3.destroy() };
}

const rate = (bytes: number, seconds: number) => `${(bytes / MB / seconds).toFixed(1)} MB/s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  // The S3 SDK warns once that its 2027 releases need Node 22: known, and noise in the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'strata-bench-tiering-'));
  console.log(machineSummary(dir));
  const ledgerCount = Math.max(1, Math.ceil(TOTAL_BYTES / LEDGER_BYTES));
  const entriesPerLedger = Math.max(1, Math.floor(Math.min(LEDGER_BYTES, TOTAL_BYTES) / ENTRY_BYTES));
  const etcd = await EtcdCluster.start();
  const bookies = await Promise.all([1, 2].map((i) => BookieProcess.create({ etcdEndpoints: etcd.endpoints, namespace: '/bench', id: `bookie-${i}`, dataDir: path.join(dir, `bookie-${i}`) })));
  const server = await startServer();
  console.log(`object store: ${server.label} on loopback; backlog ${ledgerCount} ledgers × ${entriesPerLedger} entries × ${ENTRY_BYTES} B = ${((ledgerCount * entriesPerLedger * ENTRY_BYTES) / MiB).toFixed(0)} MiB (BENCH_BYTES); 2 bookie processes, ensemble 2, quorums 2/2`);
  console.log(`offload: ${BLOCK_BYTES / MiB} MiB blocks, 8 MiB multipart parts, checksum pass + upload + full read-back verification; reads: batches of ${READ_BATCH} entries, block cache ${CACHE_BYTES / MiB} MiB (new per run), read-ahead ${(READ_AHEAD_BYTES ?? 16 * MiB) / MiB} MiB, GETs ≤ ${(MAX_FETCH_BYTES ?? 4 * MiB) / MiB} MiB\n`);
  const rss = new RssPeak();
  const store = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace: '/bench' });
  let ledgers: LedgerClient | undefined;
  const objects = new S3ObjectStore({ endpoint: server.endpoint, bucket: BUCKET, region: server.region, credentials: server.credentials, forcePathStyle: true, requestTimeoutMs: 120_000 });
  try {
    await Promise.all(bookies.map((b) => b.start()));
    ledgers = await LedgerClient.start({ store, logger: silentLogger, bookieClient: { requestTimeoutMs: 60_000 } });
    await ledgers.registry.waitForBookies(2);

    // The backlog.
    const payloads = Array.from({ length: 16 }, () => randomBytes(ENTRY_BYTES));
    let start = performance.now();
    const ids: number[] = [];
    for (let l = 0; l < ledgerCount; l++) {
      const writer = await ledgers.createLedger({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2, writer: { maxPendingAdds: 64 } });
      const inflight = new Set<Promise<unknown>>();
      for (let e = 0; e < entriesPerLedger; e++) {
        const p = writer.append(payloads[e % payloads.length]!).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 32) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      await writer.close();
      await ledgers.clearIntent(writer.ledgerId);
      ids.push(writer.ledgerId);
    }
    const totalBytes = ledgerCount * entriesPerLedger * ENTRY_BYTES;
    console.log(`backlog written through the ledger client: ${rate(totalBytes, (performance.now() - start) / 1000)}`);

    rss.reset();
    const offloader = await Offloader.start({ ledgers, objects, owner: 'bench', blockSizeBytes: BLOCK_BYTES, gracePeriodMs: 24 * 3600_000, logger: silentLogger, registry: new Registry() });
    start = performance.now();
    for (const id of ids) {
      const outcome = await offloader.runOnce(id);
      if (outcome !== 'offloaded') throw new Error(`ledger ${id}: ${outcome}`);
    }
    const offloadSeconds = (performance.now() - start) / 1000;
    await offloader.close();
    console.log(`offload (bookies → ${SERVER}, verified, recorded): ${rate(totalBytes, offloadSeconds)}, ${offloadSeconds.toFixed(1)} s; peak RSS ${rss.peak()}; server peak RSS ${server.serverRss()}`);

    // Catch-up reads, bookies and object store alternating REPEATS times (the machine is shared: one
    // run of each can land in a noisy moment); the figures are the medians, the ratio theirs.
    const offloaded = await Promise.all(ids.map(async (id) => (await ledgers!.readMetadata(id)).metadata));
    const bookieRates: number[] = [];
    const objectRates: number[] = [];
    let bookiePeak = '';
    let objectPeak = '';
    for (let r = 0; r < REPEATS; r++) {
      rss.reset();
      const fromBookies = await catchUp(offloaded, (m) => ledgers!.openReader(m.id));
      bookieRates.push(fromBookies.bytes / MB / fromBookies.seconds);
      bookiePeak = rss.peak();
      rss.reset();
      const cache = new BlockCache({ maxBytes: CACHE_BYTES });
      let fetched = 0;
      const fromObjects = await catchUp(offloaded, (m) => OffloadedLedgerReader.openLedger(objects, m, {
        cache, readAheadBytes: READ_AHEAD_BYTES, maxFetchBytes: MAX_FETCH_BYTES, onBytesFetched: (n) => (fetched += n),
      }));
      objectRates.push(fromObjects.bytes / MB / fromObjects.seconds);
      objectPeak = rss.peak();
      if (fromObjects.bytes !== totalBytes || fromBookies.bytes !== totalBytes) throw new Error(`read ${fromObjects.bytes} bytes from objects, ${fromBookies.bytes} from bookies, of ${totalBytes}`);
      console.log(
        `run ${r + 1}: catch-up from the bookies ${rate(fromBookies.bytes, fromBookies.seconds)} (peak RSS ${bookiePeak}); ` +
          `from ${SERVER} ${rate(fromObjects.bytes, fromObjects.seconds)} (peak RSS ${objectPeak}, ${(fetched / MiB).toFixed(0)} MiB fetched, cache ${(cache.stats().bytes / MiB).toFixed(0)} MiB)`,
      );
    }
    const bookieRate = median(bookieRates);
    const objectRate = median(objectRates);
    console.log(`\ncatch-up read, median of ${REPEATS}: bookies (baseline) ${bookieRate.toFixed(1)} MB/s, ${SERVER} ${objectRate.toFixed(1)} MB/s`);
    const ratio = objectRate / bookieRate;
    console.log(`ratio object-store catch-up / bookie catch-up: ${(100 * ratio).toFixed(0)} % (goal ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'missed'})`);
  } finally {
    rss.stop();
    await objects.close();
    await ledgers?.close();
    await store.close();
    await Promise.all(bookies.map((b) => b.stop().catch(() => undefined)));
    await server.destroy();
    await etcd.destroy();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
