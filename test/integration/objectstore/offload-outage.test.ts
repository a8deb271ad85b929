// The object store goes down in the middle of an offload (its own s3rver, stopped): writes to the
// bookies go on, nothing is recorded or deleted locally, the tiering lag shows in status() and the
// metrics; once the server is back, tiering catches up on its own.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { silentLogger, waitFor } from '../../../common/index.js';
import type { LedgerClient } from '../../../ledger/index.js';
import { BlockCache, OffloadedLedgerReader, Offloader } from '../../../objectstore/index.js';
import { S3ObjectStore } from '../../../objectstore/s3/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { S3RVER_CREDENTIALS, S3RVER_REGION, S3Server, TEST_BUCKET } from '../../helpers/s3-server.js';
import { bookiesHoldLedger, expectLedgerContent, writeClosedLedger, type WrittenLedger } from '../../helpers/tiering-kit.js';

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('tiering through an object store outage', () => {
  let cluster: BookieCluster;
  let client: LedgerClient;
  let server: S3Server;
  let store: S3ObjectStore;

  beforeAll(async () => {
    [cluster, server] = await Promise.all([BookieCluster.start(3, inject('etcdEndpoints')), S3Server.start({ buckets: [TEST_BUCKET] })]);
    client = await cluster.ledgerClient();
    store = new S3ObjectStore({
      endpoint: server.endpoint, bucket: TEST_BUCKET, region: S3RVER_REGION, credentials: S3RVER_CREDENTIALS, forcePathStyle: true,
      requestTimeoutMs: 3000, connectTimeoutMs: 1000,
    });
  });
  afterAll(async () => {
    await store?.close();
    await server?.destroy();
    await cluster?.destroy();
  });

  it('stops mid-upload: writes continue, nothing is deleted locally, the lag is visible; after a restart tiering catches up', async () => {
    const ledgers: WrittenLedger[] = [await writeClosedLedger(client, 300), await writeClosedLedger(client, 50, 1000)];
    const registry = new Registry();
    let stopped: Promise<void> | undefined;
    const offloader = await Offloader.start({
      ledgers: client, objects: store, owner: 'outage', gracePeriodMs: 0, blockSizeBytes: 256 * 1024, logger: silentLogger, registry,
      retryBackoff: { initialMs: 200, maxMs: 1000 }, storeRetry: { attempts: 2, backoff: { initialMs: 50, maxMs: 100 } },
      // The server goes down while the first upload streams.
      observer: (e) => {
        if (e.phase === 'upload-progress' && stopped === undefined) stopped = server.stop();
        return e.phase === 'upload-progress' ? stopped : undefined;
      },
    });
    try {
      offloader.submit(ledgers.map((l) => l.id));
      await waitFor('the server to be stopped mid-upload', () => stopped !== undefined);
      await stopped;
      await waitFor('three failed attempts', async () => metric(await registry.metrics(), 'strata_tiering_failures_total{code="OBJECT_STORE_UNAVAILABLE"}') >= 3, { timeoutMs: 30_000 });

      // Writes to the bookies go on during the outage.
      const during = await writeClosedLedger(client, 100, 1000);
      ledgers.push(during);
      offloader.submit([during.id]);

      // Nothing recorded, nothing deleted: every ledger is whole on its bookies.
      for (const l of ledgers) {
        const { metadata } = await client.readMetadata(l.id);
        expect(metadata.offload).toBeUndefined();
        expect(await bookiesHoldLedger(client, l.id, metadata.fragments[0]!.ensemble)).toEqual([true, true, true]);
        await expectLedgerContent(await client.openReader(l.id), l);
      }

      // The lag: in status() for health output, and in the metrics.
      const status = offloader.status();
      expect(status.waiting).toBe(3);
      expect(status.oldestWaitingMs).toBeGreaterThan(0);
      expect(status.offloadedLedgers).toBe(0);
      expect(status.lastError).toMatchObject({ code: 'OBJECT_STORE_UNAVAILABLE' });
      const text = await registry.metrics();
      expect(metric(text, 'strata_tiering_waiting_ledgers')).toBe(3);
      expect(metric(text, 'strata_tiering_oldest_waiting_seconds')).toBeGreaterThan(0);
      expect(metric(text, 'strata_tiering_offloaded_ledgers_total')).toBe(0);

      await server.restart();
      await waitFor('tiering to catch up', async () => {
        const all = await Promise.all(ledgers.map(async (l) => (await client.readMetadata(l.id)).metadata.offload?.localCopiesDeletedAt));
        return all.every((x) => x !== undefined);
      }, { timeoutMs: 60_000, intervalMs: 200 });
      expect(offloader.status()).toMatchObject({ waiting: 0, awaitingLocalDeletion: 0, offloadedLedgers: 3 });
      const after = await registry.metrics();
      expect(metric(after, 'strata_tiering_waiting_ledgers')).toBe(0);
      expect(metric(after, 'strata_tiering_offloaded_ledgers_total')).toBe(3);
      for (const l of ledgers) {
        const { metadata } = await client.readMetadata(l.id);
        await expectLedgerContent(await OffloadedLedgerReader.openLedger(store, metadata, { cache: new BlockCache() }), l);
      }
    } finally {
      await offloader.close();
    }
  });
});
