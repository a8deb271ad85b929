// The fragment replicator's rules on in-memory fakes of the metadata store and the bookies: copies
// first, then the compare-and-set (never the other way round); a version conflict is re-read and
// retried; a ledger that changed meanwhile is left alone; only the entries a gone bookie held are copied.
import { describe, expect, it } from 'vitest';
import {
  FragmentReplicator, NotEnoughBookiesError, ReplicationFailedError, UnderReplicationScanner, type LedgerMetadata,
  type UnderReplicatedFragment, type VersionedLedgerMetadata,
} from '../../../ledger/index.js';
import { BadVersionError } from '../../../metadata/index.js';
import { BookieStatus, entryChecksum } from '../../../protocol/index.js';
import { silentLogger } from '../../../common/index.js';

type Op = { kind: 'add'; bookie: string; entryId: number; recovery: boolean } | { kind: 'cas' };

class FakeWorld {
  readonly ops: Op[] = [];
  readonly data = new Map<string, Map<number, Buffer>>();
  readonly live = new Set<string>();
  refuseAdds = new Set<string>();
  metadata: LedgerMetadata;
  version = 1;
  /** Runs once, just before the first compare-and-set (a concurrent change). */
  beforeCas: (() => void) | undefined;

  constructor(metadata: LedgerMetadata, bookies: string[], dead: string[]) {
    this.metadata = metadata;
    for (const b of bookies) {
      this.data.set(b, new Map());
      if (!dead.includes(b)) this.live.add(b);
    }
    const f = metadata.fragments[0]!;
    for (let e = 0; e <= metadata.lastEntryId; e++) {
      for (let i = 0; i < metadata.writeQuorum; i++) this.data.get(f.ensemble[(e + i) % f.ensemble.length]!)!.set(e, Buffer.from(`entry-${e}`));
    }
  }

  readonly metadataStore = {
    read: async (): Promise<VersionedLedgerMetadata> => ({ metadata: structuredClone(this.metadata), version: this.version }),
    update: async (next: LedgerMetadata, version: number): Promise<VersionedLedgerMetadata> => {
      const hook = this.beforeCas;
      this.beforeCas = undefined;
      hook?.();
      if (version !== this.version) throw new BadVersionError('/ledgers/1');
      this.ops.push({ kind: 'cas' });
      this.metadata = structuredClone(next);
      return { metadata: next, version: ++this.version };
    },
  };

  readonly pool = {
    get: async (bookie: string) => {
      if (!this.live.has(bookie)) throw new Error(`${bookie} is not registered`);
      const store = this.data.get(bookie)!;
      return {
        readEntries: async (req: { ledgerId: number; firstEntryId: number; lastEntryId: number }) => {
          const entries = [];
          for (let e = req.firstEntryId; e <= req.lastEntryId && store.has(e); e++) entries.push({ entryId: e, crc: entryChecksum(store.get(e)!), payload: store.get(e)! });
          return { status: entries.length > 0 ? BookieStatus.OK : BookieStatus.NO_SUCH_ENTRY, ledgerId: req.ledgerId, lac: -1, entries };
        },
        addEntry: async (add: { ledgerId: number; entryId: number; payload: Buffer; crc?: number; recovery?: boolean }) => {
          if (this.refuseAdds.has(bookie)) return { status: BookieStatus.BAD_REQUEST, ledgerId: add.ledgerId, entryId: add.entryId };
          expect(add.crc).toBe(entryChecksum(add.payload));
          this.ops.push({ kind: 'add', bookie, entryId: add.entryId, recovery: add.recovery === true });
          store.set(add.entryId, add.payload);
          return { status: BookieStatus.OK, ledgerId: add.ledgerId, entryId: add.entryId };
        },
      };
    },
  };

  replicator(): FragmentReplicator {
    return new FragmentReplicator(
      { metadataStore: this.metadataStore as never, pool: this.pool as never, liveBookies: () => [...this.live], log: silentLogger },
      { readBatch: 7 },
    );
  }

  fragment(): UnderReplicatedFragment {
    return new UnderReplicationScanner({ graceMs: 0 }).scan([this.metadata], this.live, 0).fragments[0]!;
  }
}

function closedLedger(ensemble: string[], writeQuorum: number, lastEntryId: number): LedgerMetadata {
  return { id: 1, ensembleSize: ensemble.length, writeQuorum, ackQuorum: writeQuorum, state: 'CLOSED', lastEntryId, fragments: [{ firstEntryId: 0, ensemble }], createdAt: 0, properties: {} };
}

describe('FragmentReplicator', () => {
  it('copies every entry to the replacement with recovery adds, and only then replaces the gone bookie', async () => {
    const world = new FakeWorld(closedLedger(['a', 'b'], 2, 19), ['a', 'b', 'c'], ['b']);
    const outcome = await world.replicator().replicate(world.fragment());
    expect(outcome).toEqual({ kind: 'replicated', copiedEntries: 20, replacements: { b: 'c' } });
    expect(world.metadata.fragments[0]!.ensemble).toEqual(['a', 'c']);
    expect(world.ops.at(-1)).toEqual({ kind: 'cas' });
    expect(world.ops.filter((o) => o.kind === 'add')).toEqual(Array.from({ length: 20 }, (_, e) => ({ kind: 'add', bookie: 'c', entryId: e, recovery: true })));
    for (let e = 0; e < 20; e++) expect(world.data.get('c')!.get(e)).toEqual(Buffer.from(`entry-${e}`));
  });

  it('copies only the entries whose write set includes the gone position (E3 Qw2)', async () => {
    const world = new FakeWorld(closedLedger(['a', 'b', 'c'], 2, 8), ['a', 'b', 'c', 'd'], ['b']);
    const outcome = await world.replicator().replicate(world.fragment());
    // Position 1 is in the write sets of entries e with e mod 3 ∈ {0, 1}.
    expect(outcome).toMatchObject({ kind: 'replicated', copiedEntries: 6 });
    expect([...world.data.get('d')!.keys()].sort((x, y) => x - y)).toEqual([0, 1, 3, 4, 6, 7]);
    expect(world.metadata.fragments[0]!.ensemble).toEqual(['a', 'd', 'c']);
  });

  it('re-reads and retries the compare-and-set after a version conflict, keeping the other change', async () => {
    const world = new FakeWorld(closedLedger(['a', 'b'], 2, 4), ['a', 'b', 'c'], ['b']);
    world.beforeCas = () => {
      world.metadata = { ...world.metadata, properties: { touched: 'yes' } };
      world.version++;
    };
    const outcome = await world.replicator().replicate(world.fragment());
    expect(outcome.kind).toBe('replicated');
    expect(world.metadata.fragments[0]!.ensemble).toEqual(['a', 'c']);
    expect(world.metadata.properties).toEqual({ touched: 'yes' });
  });

  it('records nothing when the ledger was offloaded or the gone bookie was replaced meanwhile', async () => {
    const offloaded = new FakeWorld(closedLedger(['a', 'b'], 2, 4), ['a', 'b', 'c'], ['b']);
    offloaded.beforeCas = () => {
      offloaded.metadata = { ...offloaded.metadata, offload: { objectKey: 'k', size: 1, checksum: 'c', formatVersion: 1, indexOffset: 0, blockSize: 1, payloadBytes: 1, offloadedAt: 0, offloadedBy: 'x' } };
      offloaded.version++;
    };
    expect(await offloaded.replicator().replicate(offloaded.fragment())).toMatchObject({ kind: 'skipped', reason: 'ledger offloaded' });
    expect(offloaded.metadata.fragments[0]!.ensemble).toEqual(['a', 'b']);

    const replaced = new FakeWorld(closedLedger(['a', 'b'], 2, 4), ['a', 'b', 'c', 'd'], ['b']);
    const fragment = replaced.fragment();
    replaced.metadata = { ...replaced.metadata, fragments: [{ firstEntryId: 0, ensemble: ['a', 'd'] }] };
    expect(await replaced.replicator().replicate(fragment)).toMatchObject({ kind: 'skipped', reason: 'gone bookie already replaced' });
    expect(replaced.ops).toEqual([]);
  });

  it('keeps the metadata when a replacement refuses a copy, and when there is no spare bookie', async () => {
    const refused = new FakeWorld(closedLedger(['a', 'b'], 2, 4), ['a', 'b', 'c'], ['b']);
    refused.refuseAdds.add('c');
    await expect(refused.replicator().replicate(refused.fragment())).rejects.toBeInstanceOf(ReplicationFailedError);
    expect(refused.ops.filter((o) => o.kind === 'cas')).toEqual([]);
    expect(refused.metadata.fragments[0]!.ensemble).toEqual(['a', 'b']);

    const noSpare = new FakeWorld(closedLedger(['a', 'b'], 2, 4), ['a', 'b'], ['b']);
    await expect(noSpare.replicator().replicate(noSpare.fragment())).rejects.toBeInstanceOf(NotEnoughBookiesError);
    expect(noSpare.ops).toEqual([]);
  });

  it('replaces a gone bookie of a fragment that holds no entry without copying anything', async () => {
    const world = new FakeWorld(closedLedger(['a', 'b'], 2, -1), ['a', 'b', 'c'], ['b']);
    expect(await world.replicator().replicate(world.fragment())).toEqual({ kind: 'replicated', copiedEntries: 0, replacements: { b: 'c' } });
    expect(world.metadata.fragments[0]!.ensemble).toEqual(['a', 'c']);
  });
});
