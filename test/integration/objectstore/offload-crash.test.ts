// kill -9 of an offloader process at every interesting point (mid-upload, uploaded but not recorded,
// recorded but bookie copies not deleted): a restarted offloader finishes the ledger exactly once —
// one object recorded, the orphan swept once the dead process's intent is gone, every entry intact.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { silentLogger, waitFor } from '../../../common/index.js';
import type { LedgerClient } from '../../../ledger/index.js';
import {
  BlockCache, OffloadSweeper, OffloadedLedgerReader, Offloader, type ObjectStore, type OffloadEvent, type StepOutcome,
} from '../../../objectstore/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { spawnTs } from '../../helpers/node-child.js';
import { bookiesHoldLedger, expectLedgerContent, intentsOf, localStore, objectKeysOf, sharedS3Store, writeClosedLedger } from '../../helpers/tiering-kit.js';

const BLOCK = 256 * 1024;

interface Case {
  backend: 's3' | 'local';
  pauseAt: OffloadEvent['phase'];
  pauseAfterBytes?: number;
  /** Whether the dead process's offload is recorded when it dies. */
  recordedAtKill: boolean;
  /** Objects the sweeper must delete afterwards (a completed, unrecorded upload). */
  orphans: number;
}

const cases: Array<[string, Case]> = [
  // Past the first 8 MiB part: a multipart upload is in progress (S3), a temp file is half written (local).
  ['mid-upload (S3 multipart in progress)', { backend: 's3', pauseAt: 'upload-progress', pauseAfterBytes: 9 * 1024 * 1024, recordedAtKill: false, orphans: 0 }],
  ['mid-upload (local directory)', { backend: 'local', pauseAt: 'upload-progress', pauseAfterBytes: 9 * 1024 * 1024, recordedAtKill: false, orphans: 0 }],
  ['uploaded and verified, not recorded', { backend: 's3', pauseAt: 'recording', recordedAtKill: false, orphans: 1 }],
  ['recorded, bookie copies not deleted', { backend: 's3', pauseAt: 'recorded', recordedAtKill: true, orphans: 0 }],
];

describe('offloader process killed with -9', () => {
  let cluster: BookieCluster;
  let client: LedgerClient;
  const stores: ObjectStore[] = [];

  beforeAll(async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    client = await cluster.ledgerClient();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await cluster?.destroy();
  });

  it.each(cases)('at %s: a restarted offloader ends with the ledger offloaded exactly once', async (_name, c) => {
    let store: ObjectStore;
    let where: Record<string, unknown>;
    if (c.backend === 's3') {
      const s3 = sharedS3Store(inject('s3Endpoint'), inject('s3'));
      store = s3;
      where = { s3: { endpoint: inject('s3Endpoint'), bucket: s3.bucket, region: inject('s3').region, prefix: s3.prefix, credentials: inject('s3').credentials } };
    } else {
      const local = await localStore();
      store = local.store;
      where = { localRoot: local.root };
    }
    stores.push(store);
    const ledger = await writeClosedLedger(client, 512, 32 * 1024); // 16 MiB
    const ensemble = (await client.readMetadata(ledger.id)).metadata.fragments[0]!.ensemble;

    const child = spawnTs('test/helpers/offloader-child.ts', [JSON.stringify({
      endpoints: cluster.etcdEndpoints, namespace: cluster.namespace, ledgerId: ledger.id, blockSizeBytes: BLOCK, sessionTtlMs: 2000,
      pauseAt: c.pauseAt, pauseAfterBytes: c.pauseAfterBytes, ...where,
    })]);
    await child.waitForLine(/^paused /, 60_000);
    const deadKey = /^phase \S+ (\S+)/.exec(child.lines.find((l) => l.startsWith('phase '))!)![1]!;
    await child.kill('SIGKILL');

    const atKill = (await client.readMetadata(ledger.id)).metadata;
    expect(atKill.offload?.objectKey).toBe(c.recordedAtKill ? deadKey : undefined);
    expect(await bookiesHoldLedger(client, ledger.id, ensemble)).toEqual(ensemble.map(() => true));

    const offloader = await Offloader.start({ ledgers: client, objects: store, owner: 'restarted', blockSizeBytes: BLOCK, gracePeriodMs: 0, logger: silentLogger, registry: new Registry() });
    const outcomes: StepOutcome[] = [];
    try {
      for (let i = 0; i < 5 && outcomes.at(-1) !== 'local-copies-deleted'; i++) outcomes.push(await offloader.runOnce(ledger.id));
    } finally {
      await offloader.close();
    }
    expect(outcomes).toEqual(c.recordedAtKill ? ['local-copies-deleted'] : ['offloaded', 'local-copies-deleted']);

    const { metadata } = await client.readMetadata(ledger.id);
    const recorded = metadata.offload!;
    expect(recorded.localCopiesDeletedAt).toBeDefined();
    if (c.recordedAtKill) expect(recorded.objectKey).toBe(deadKey);
    else expect(recorded.objectKey).not.toBe(deadKey);
    expect(await bookiesHoldLedger(client, ledger.id, ensemble)).toEqual(ensemble.map(() => false));

    // The dead process's intent ends with its session; then its orphan (if any) is swept, nothing else.
    await waitFor('the dead offloader\'s intent to expire', async () => (await intentsOf(cluster.store(), ledger.id)).length === 0, { timeoutMs: 15_000 });
    const sweeper = new OffloadSweeper({ objects: store, metadata: cluster.store(), minAgeMs: 0 });
    const swept = await sweeper.sweep();
    expect(swept.deleted.length).toBe(c.orphans);
    if (c.orphans > 0) expect(swept.deleted).toEqual([deadKey]);
    expect(await objectKeysOf(store, ledger.id)).toEqual([recorded.objectKey]);
    expect((await sweeper.sweep()).deleted).toEqual([]);

    await expectLedgerContent(await OffloadedLedgerReader.openLedger(store, metadata, { cache: new BlockCache() }), ledger, 128);
  });
});
