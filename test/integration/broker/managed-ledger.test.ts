// A partition's log on real bookie processes: ordered appends, rolls, reads across ledgers, recovery
// of open ledgers by a new owner, and a fenced old owner.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ManagedLedger, type OwnerEpoch } from '../../../broker/managed-ledger/index.js';
import { OwnershipLostError } from '../../../broker/errors.js';
import { keys, jsonValue, type MetadataStore, type PartitionRef } from '../../../metadata/index.js';
import { silentLogger } from '../../../common/index.js';
import type { LedgerClient } from '../../../ledger/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { payloadFor } from '../../helpers/payload.js';

/** Takes ownership of a partition the way a broker does: a session-bound key created if absent. */
async function own(store: MetadataStore, p: PartitionRef, broker: string): Promise<OwnerEpoch> {
  const session = await store.createSession({ ttlMs: 10_000 });
  const key = keys.ownership(p);
  await store.delete(key);
  const createRevision = await store.put(key, jsonValue({ broker }), { expectedVersion: 'absent', session });
  return { key, createRevision };
}

describe('managed ledger (3 bookie processes)', () => {
  let cluster: BookieCluster;
  let store: MetadataStore;
  let ledgers: LedgerClient;
  const deps = () => ({ store, ledgers, log: silentLogger });
  const config = { ensembleSize: 2, writeQuorum: 2, ackQuorum: 2, maxEntriesPerLedger: 100 };
  beforeAll(async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    store = cluster.store();
    ledgers = await cluster.ledgerClient();
  });
  afterAll(() => cluster?.destroy());

  it('appends in order, rolls every 100 entries, and reads everything back across ledgers', async () => {
    const p = { topic: 'public/default/roll', partition: 0 };
    const ml = await ManagedLedger.open(deps(), p, await own(store, p, 'b1'), config);
    const positions = await Promise.all(Array.from({ length: 350 }, (_, i) => ml.append(payloadFor(1, i, 300))));
    const ids = [...new Set(positions.map((x) => x.ledgerId))];
    expect(ids.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < positions.length; i++) {
      const [a, b] = [positions[i - 1]!, positions[i]!];
      expect(b.ledgerId > a.ledgerId || (b.ledgerId === a.ledgerId && b.entryId === a.entryId + 1)).toBe(true);
    }
    const first = ml.reader.firstPosition()!;
    const all = [];
    let at = first;
    while (all.length < 350) {
      const batch = await ml.reader.read(at, 64);
      expect(batch.length).toBeGreaterThan(0);
      all.push(...batch);
      at = ml.reader.next(batch[batch.length - 1]!.position);
    }
    expect(all.map((e) => e.position)).toEqual(positions);
    all.forEach((e, i) => expect(e.data.equals(payloadFor(1, i, 300)), `entry ${i}`).toBe(true));
    // Closed ledgers carry their entry counts and sizes in the list.
    await ml.close();
    const closed = ml.ledgers.filter((l) => l.entries !== undefined);
    expect(closed.reduce((s, l) => s + l.entries!, 0)).toBe(350);
    expect(closed.reduce((s, l) => s + l.size, 0)).toBe(350 * 300);
  });

  it('a new owner recovers the open ledger with every confirmed entry; the old owner is fenced', async () => {
    const p = { topic: 'public/default/takeover', partition: 3 };
    const old = await ManagedLedger.open(deps(), p, await own(store, p, 'b1'), config);
    const confirmed = [];
    for (let i = 0; i < 130; i++) confirmed.push(await old.append(payloadFor(2, i, 200)));
    // b2 takes over without b1 closing anything (as after a crash or a lost lease).
    const next = await ManagedLedger.open(deps(), p, await own(store, p, 'b2'), config);
    await expect(old.append(payloadFor(2, 999, 200))).rejects.toBeInstanceOf(OwnershipLostError);
    const read = await next.reader.read(next.reader.firstPosition()!, 1000);
    expect(read.map((e) => e.position)).toEqual(confirmed);
    read.forEach((e, i) => expect(e.data.equals(payloadFor(2, i, 200))).toBe(true));
    const after = await next.append(payloadFor(2, 130, 200));
    expect(after.ledgerId).toBeGreaterThan(confirmed[confirmed.length - 1]!.ledgerId);
    await next.close();
  });

  it('recovers the last two ledgers when both were left open by an interrupted roll', async () => {
    const p = { topic: 'public/default/interrupted', partition: 0 };
    const epoch = await own(store, p, 'b1');
    const a = await ledgers.createLedger({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 });
    for (let i = 0; i < 5; i++) await a.append(payloadFor(3, i, 100));
    const b = await ledgers.createLedger({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 });
    await b.append(payloadFor(3, 5, 100));
    await store.put(keys.partition(p), Buffer.from(JSON.stringify({ format: 'strata-partition-log', version: 1, ledgers: [
      { ledgerId: a.ledgerId, size: 0, createdAt: Date.now() },
      { ledgerId: b.ledgerId, size: 0, createdAt: Date.now() },
    ] })));
    const ml = await ManagedLedger.open(deps(), p, epoch, config);
    expect(ml.ledgers.slice(0, 2).map((l) => [l.ledgerId, l.entries])).toEqual([[a.ledgerId, 5], [b.ledgerId, 1]]);
    expect((await ledgers.readMetadata(a.ledgerId)).metadata.state).toBe('CLOSED');
    expect((await ledgers.readMetadata(b.ledgerId)).metadata.state).toBe('CLOSED');
    const read = await ml.reader.read(ml.reader.firstPosition()!, 100);
    read.forEach((e, i) => expect(e.data.equals(payloadFor(3, i, 100))).toBe(true));
    expect(read.length).toBe(6);
    await ml.close();
  });

  it('refuses metadata writes once the ownership key was recreated (owner epoch)', async () => {
    const p = { topic: 'public/default/epoch', partition: 1 };
    const ml = await ManagedLedger.open(deps(), p, await own(store, p, 'b1'), { ...config, maxEntriesPerLedger: 5 });
    for (let i = 0; i < 4; i++) await ml.append(payloadFor(4, i, 50));
    // The key is recreated (same value) by someone else: a roll needs a list write, which must fail.
    await own(store, p, 'b1');
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => ml.append(payloadFor(4, 4 + i, 50))));
    expect(results.some((r) => r.status === 'rejected' && r.reason instanceof OwnershipLostError)).toBe(true);
  });
});
