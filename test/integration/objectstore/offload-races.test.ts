// Races of tiering on real bookies, etcd and the shared s3rver: several offloaders on one ledger (one
// wins, the losers delete their own objects), the sweeper against uploads in progress (it never deletes
// them), and an attempt whose intent vanished before it was recorded (it records nothing).
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { silentLogger, waitFor } from '../../../common/index.js';
import type { LedgerClient } from '../../../ledger/index.js';
import type { MetadataStore } from '../../../metadata/index.js';
import {
  BlockCache, OffloadIntentLostError, OffloadSweeper, OffloadedLedgerReader, Offloader, type ObjectStore, type OffloadObserver,
} from '../../../objectstore/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { expectLedgerContent, intentsOf, objectKeysOf, sharedS3Store, writeClosedLedger } from '../../helpers/tiering-kit.js';

/** Holds every caller at `phase` until `count` callers are there, then lets them all go. */
function barrier(phase: string, count: number): { observer: OffloadObserver; arrived: () => number; open: () => void } {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return {
    observer: (e) => {
      if (e.phase !== phase) return;
      if (++arrived === count) release();
      return all;
    },
    arrived: () => arrived,
    open: () => release(),
  };
}

describe('tiering races', () => {
  let cluster: BookieCluster;
  let client: LedgerClient;
  let metadata: MetadataStore;
  let store: ObjectStore;
  const offloaders: Offloader[] = [];
  const offloader = async (owner: string, observer?: OffloadObserver) => {
    const o = await Offloader.start({ ledgers: client, objects: store, owner, blockSizeBytes: 64 * 1024, gracePeriodMs: 60_000, logger: silentLogger, registry: new Registry(), observer });
    offloaders.push(o);
    return o;
  };

  beforeAll(async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    client = await cluster.ledgerClient();
    metadata = cluster.store();
    store = sharedS3Store(inject('s3Endpoint'), inject('s3'));
  });
  afterAll(async () => {
    for (const o of offloaders) await o.close();
    await store?.close();
    await cluster?.destroy();
  });

  it('two offloaders that reach the compare-and-set together: exactly one wins, the loser deletes its own object', async () => {
    const ledger = await writeClosedLedger(client, 60, 4000);
    const gate = barrier('recording', 2);
    const [a, b] = [await offloader('a', gate.observer), await offloader('b', gate.observer)];
    const outcomes = await Promise.all([a.runOnce(ledger.id), b.runOnce(ledger.id)]);
    expect(gate.arrived()).toBe(2);
    expect([...outcomes].sort()).toEqual(['lost', 'offloaded']);
    const winner = outcomes[0] === 'offloaded' ? a : b;
    const loser = winner === a ? b : a;
    const { metadata: m } = await client.readMetadata(ledger.id);
    expect(m.offload!.offloadedBy).toBe(winner === a ? 'a' : 'b');
    expect(await objectKeysOf(store, ledger.id)).toEqual([m.offload!.objectKey]);
    expect(await intentsOf(metadata, ledger.id)).toEqual([]);
    expect(await loser.registry.getSingleMetricAsString('strata_tiering_lost_races_total')).toMatch(/ 1$/m);
    await expectLedgerContent(await OffloadedLedgerReader.openLedger(store, m, { cache: new BlockCache() }), ledger);
  });

  it('three offloaders racing freely over three ledgers: one record and one object per ledger', async () => {
    const ledgers = await Promise.all([1, 2, 3].map(() => writeClosedLedger(client, 30, 3000)));
    const racers = await Promise.all(['x', 'y', 'z'].map((o) => offloader(o)));
    const outcomes = await Promise.all(ledgers.map((l) => Promise.all(racers.map((r) => r.runOnce(l.id)))));
    for (const [i, l] of ledgers.entries()) {
      expect(outcomes[i]!.filter((o) => o === 'offloaded').length).toBe(1);
      expect(outcomes[i]!.filter((o) => o !== 'offloaded').every((o) => o === 'lost')).toBe(true);
      const { metadata: m } = await client.readMetadata(l.id);
      expect(await objectKeysOf(store, l.id)).toEqual([m.offload!.objectKey]);
      expect(await intentsOf(metadata, l.id)).toEqual([]);
    }
  });

  it('the sweeper never deletes an object whose offload is in progress (uploaded, verified, not yet recorded)', async () => {
    const ledger = await writeClosedLedger(client, 40, 2000);
    const gate = barrier('recording', 2); // opened by the test
    const o = await offloader('slow', gate.observer);
    const running = o.runOnce(ledger.id);
    const sweeper = new OffloadSweeper({ objects: store, metadata, minAgeMs: 0 });
    await waitFor('the upload to complete', () => gate.arrived() === 1);
    const [inFlight] = await objectKeysOf(store, ledger.id);
    expect(inFlight).toBeDefined();
    for (let i = 0; i < 3; i++) {
      const r = await sweeper.sweep();
      expect(r.deleted).toEqual([]);
      expect(r.inProgress).toBeGreaterThanOrEqual(1);
    }
    gate.open();
    expect(await running).toBe('offloaded');
    const recorded = (await client.readMetadata(ledger.id)).metadata.offload!.objectKey;
    expect(recorded).toBe(inFlight);
    expect((await sweeper.sweep()).deleted).toEqual([]);
    expect(await objectKeysOf(store, ledger.id)).toEqual([recorded]);
  });

  it('a sweeper running in a tight loop beside concurrent offloads deletes none of their objects', async () => {
    const ledgers = await Promise.all([1, 2, 3, 4].map(() => writeClosedLedger(client, 40, 3000)));
    const o = await offloader('busy');
    const sweeper = new OffloadSweeper({ objects: store, metadata, minAgeMs: 0 });
    let stop = false;
    const deleted: string[] = [];
    const sweeping = (async () => {
      while (!stop) deleted.push(...(await sweeper.sweep()).deleted);
    })();
    const outcomes = await Promise.all(ledgers.map((l) => o.runOnce(l.id)));
    stop = true;
    await sweeping;
    expect(outcomes).toEqual(['offloaded', 'offloaded', 'offloaded', 'offloaded']);
    for (const l of ledgers) {
      const { metadata: m } = await client.readMetadata(l.id);
      expect(deleted).not.toContain(m.offload!.objectKey);
      expect(await objectKeysOf(store, l.id)).toEqual([m.offload!.objectKey]);
      await expectLedgerContent(await OffloadedLedgerReader.openLedger(store, m, { cache: new BlockCache() }), l);
    }
  });

  it('an attempt whose intent vanished before recording (its session expired) records nothing and removes its object', async () => {
    const ledger = await writeClosedLedger(client, 20, 2000);
    const gate = barrier('recording', 2);
    const o = await offloader('expiring', gate.observer);
    const running = o.runOnce(ledger.id).then(() => undefined, (e: unknown) => e);
    await waitFor('the upload to complete', () => gate.arrived() === 1);
    const [intent] = await intentsOf(metadata, ledger.id);
    await metadata.delete(intent!);
    gate.open();
    expect(await running).toBeInstanceOf(OffloadIntentLostError);
    expect((await client.readMetadata(ledger.id)).metadata.offload).toBeUndefined();
    expect(await objectKeysOf(store, ledger.id)).toEqual([]);
    const again = await offloader('again');
    expect(await again.runOnce(ledger.id)).toBe('offloaded');
  });
});
