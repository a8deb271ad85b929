// Tiering end to end on real bookie processes, real etcd and both object stores (the shared s3rver and
// a local directory): offload, bookie copies deleted only after the grace period, every entry read back
// byte-identical from the object, bounded bytes for a one-entry read, deletion, startup checks.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { silentLogger, waitFor } from '../../../common/index.js';
import { InvalidLedgerArgumentError, type LedgerClient } from '../../../ledger/index.js';
import {
  BlockCache, BucketNotFoundError, ObjectStoreAuthError, OffloadedLedgerReader, OffloadedObjectMismatchError, Offloader, deleteOffloadedLedger, type ObjectStore,
} from '../../../objectstore/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { CountingObjectStore } from '../../helpers/counting-object-store.js';
import { payloadFor } from '../../helpers/payload.js';
import { ResponseCountingProxy } from '../../helpers/response-counting-proxy.js';
import { bookiesHoldLedger, expectLedgerContent, localStore, objectKeysOf, sharedS3Store, writeClosedLedger } from '../../helpers/tiering-kit.js';

const BLOCK = 64 * 1024;

const backends: Array<[string, () => Promise<{ store: ObjectStore; proxy?: ResponseCountingProxy }>]> = [
  ['S3 (s3rver)', async () => {
    const proxy = await ResponseCountingProxy.start(Number(new URL(inject('s3Endpoint')).port));
    return { store: sharedS3Store(proxy.endpoint, inject('s3')), proxy };
  }],
  ['local directory', async () => ({ store: (await localStore()).store })],
];

describe.each(backends)('tiering round trip: %s', (_name, openStore) => {
  let cluster: BookieCluster;
  let client: LedgerClient;
  let store: CountingObjectStore;
  let proxy: ResponseCountingProxy | undefined;
  const offloaders: Offloader[] = [];
  const offloader = async (gracePeriodMs: number) => {
    const o = await Offloader.start({ ledgers: client, objects: store, owner: 'test', blockSizeBytes: BLOCK, gracePeriodMs, logger: silentLogger, registry: new Registry() });
    offloaders.push(o);
    return o;
  };

  beforeAll(async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    client = await cluster.ledgerClient();
    const opened = await openStore();
    store = new CountingObjectStore(opened.store);
    proxy = opened.proxy;
  });
  afterAll(async () => {
    for (const o of offloaders) await o.close();
    await store?.close();
    await proxy?.close();
    await cluster?.destroy();
  });

  it('offloads a closed ledger, keeps the bookie copies through the grace period, then deletes them; every entry reads back byte-identical', async () => {
    const ledger = await writeClosedLedger(client, 300);
    const ensemble = (await client.readMetadata(ledger.id)).metadata.fragments[0]!.ensemble;
    const o = await offloader(1500);
    expect(await o.runOnce(ledger.id)).toBe('offloaded');
    const { metadata } = await client.readMetadata(ledger.id);
    expect(metadata.offload).toMatchObject({ size: expect.any(Number), checksum: expect.stringMatching(/^crc32c:[0-9a-f]{8}$/), payloadBytes: ledger.bytes, blockSize: BLOCK });
    expect(metadata.offload!.localCopiesDeletedAt).toBeUndefined();
    // Within the grace period the bookies keep their copies; the queue waits.
    expect(await o.runOnce(ledger.id)).toBe('waiting');
    expect(await bookiesHoldLedger(client, ledger.id, ensemble)).toEqual(ensemble.map(() => true));
    o.submit([ledger.id]);
    await waitFor('bookie copies deleted', async () => (await client.readMetadata(ledger.id)).metadata.offload?.localCopiesDeletedAt, { timeoutMs: 20_000 });
    expect(await bookiesHoldLedger(client, ledger.id, ensemble)).toEqual(ensemble.map(() => false));
    expect(o.status()).toMatchObject({ waiting: 0, awaitingLocalDeletion: 0, offloadedLedgers: 1 });
    const after = (await client.readMetadata(ledger.id)).metadata;
    expect(after.state).toBe('CLOSED');
    const reader = await OffloadedLedgerReader.openLedger(store, after, { cache: new BlockCache() });
    await expectLedgerContent(reader, ledger);
    expect(await objectKeysOf(store, ledger.id)).toEqual([after.offload!.objectKey]);
  });

  it('the ledger client refuses to delete the bookie copies of a ledger that is not offloaded', async () => {
    const ledger = await writeClosedLedger(client, 5, 100);
    await expect(client.deleteBookieCopies(ledger.id)).rejects.toBeInstanceOf(InvalidLedgerArgumentError);
    expect((await client.openReader(ledger.id)).lastReadable).toBe(4);
  });

  it('bookie copies are kept when the fresh check finds the recorded object missing or different', async () => {
    const ledger = await writeClosedLedger(client, 20, 2000);
    const ensemble = (await client.readMetadata(ledger.id)).metadata.fragments[0]!.ensemble;
    const o = await offloader(0);
    expect(await o.runOnce(ledger.id)).toBe('offloaded');
    const { objectKey } = (await client.readMetadata(ledger.id)).metadata.offload!;
    const original = await store.get(objectKey);
    await store.put(objectKey, original, { metadata: { 'strata-checksum': 'crc32c:00000000' } });
    await expect(o.runOnce(ledger.id)).rejects.toBeInstanceOf(OffloadedObjectMismatchError);
    await store.delete(objectKey);
    await expect(o.runOnce(ledger.id)).rejects.toThrow(/is missing: bookie copies kept/);
    expect(await bookiesHoldLedger(client, ledger.id, ensemble)).toEqual(ensemble.map(() => true));
    expect((await client.readMetadata(ledger.id)).metadata.offload!.localCopiesDeletedAt).toBeUndefined();
  });

  it('a one-entry read of a large offloaded ledger downloads the index and at most two blocks', async () => {
    const ledger = await writeClosedLedger(client, 512, 32 * 1024); // 16 MiB
    const o = await offloader(60_000);
    expect(await o.runOnce(ledger.id)).toBe('offloaded');
    const { metadata } = await client.readMetadata(ledger.id);
    const size = metadata.offload!.size;
    const indexBytes = size - metadata.offload!.indexOffset;
    store.reset();
    proxy?.reset();
    const reader = await OffloadedLedgerReader.openLedger(store, metadata, { cache: new BlockCache() });
    const [entry] = await reader.read(333, 333);
    expectOne(entry, ledger.id, 333);
    const bound = indexBytes + 2 * BLOCK;
    expect(store.counts.bytesRead).toBeLessThanOrEqual(bound);
    expect(reader.bytesFetched).toBe(store.counts.bytesRead);
    expect(store.counts.gets).toBe(0);
    // What the server really sent (S3 only): headers aside, the same bounded bytes, not 16 MiB.
    if (proxy) expect(proxy.responseBytes).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(size / 50);
  });

  it('deleteOffloadedLedger removes the metadata, the bookie copies and every object of the ledger', async () => {
    const ledger = await writeClosedLedger(client, 40, 1000);
    const o = await offloader(0);
    expect(await o.runOnce(ledger.id)).toBe('offloaded');
    expect(await o.runOnce(ledger.id)).toBe('local-copies-deleted');
    const { metadata } = await client.readMetadata(ledger.id);
    // An orphan of an earlier attempt of the same ledger goes too.
    const orphan = metadata.offload!.objectKey.replace(/-[0-9a-f-]{36}$/, '-00000000-0000-4000-8000-000000000000');
    await store.put(orphan, Buffer.from('orphan'));
    const result = await deleteOffloadedLedger({ ledgers: client, objects: store }, ledger.id);
    expect(result.objectsDeleted).toBe(2);
    await expect(client.readMetadata(ledger.id)).rejects.toThrow(/does not exist/);
    expect(await objectKeysOf(store, ledger.id)).toEqual([]);
    expect(await deleteOffloadedLedger({ ledgers: client, objects: store }, ledger.id)).toEqual({ objectsDeleted: 0 });
  });
});

function expectOne(entry: { entryId: number; payload: Buffer } | undefined, ledgerId: number, entryId: number): void {
  expect(entry?.entryId).toBe(entryId);
  expect(entry!.payload.equals(payloadFor(ledgerId, entryId, 32 * 1024))).toBe(true);
}

describe('offloader startup checks (s3rver)', () => {
  it('a wrong bucket is BucketNotFoundError and an unknown access key ObjectStoreAuthError, before any work', async () => {
    const cluster = await BookieCluster.start(1, inject('etcdEndpoints'));
    try {
      const client = await cluster.ledgerClient();
      const bad = [
        [sharedS3Store(inject('s3Endpoint'), { ...inject('s3'), bucket: 'no-such-bucket' }), BucketNotFoundError],
        [sharedS3Store(inject('s3Endpoint'), { ...inject('s3'), credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' } }), ObjectStoreAuthError],
      ] as const;
      for (const [objects, error] of bad) {
        const err = await Offloader.start({ ledgers: client, objects, owner: 't', logger: silentLogger }).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(error);
        expect(String((err as Error).message)).toMatch(/no-such-bucket|credential|access key|NOBODY|denied/i);
        await objects.close();
      }
    } finally {
      await cluster.destroy();
    }
  });
});
