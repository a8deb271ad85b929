// Re-replication of one fragment of a CLOSED ledger whose ensemble names gone bookies:
//   1. pick, for each gone position, a live bookie not in the fragment's ensemble;
//   2. read every entry of the fragment that the gone bookie held (its write set includes that
//      position) from a surviving replica, and write it to the replacement with a recovery add
//      carrying the same payload and checksum (a recovery add is accepted even on a fenced ledger);
//   3. only once every such entry is on the replacement, replace the gone bookie in that fragment's
//      ensemble by compare-and-set of the ledger metadata, re-reading and retrying on a version
//      conflict. A copy is never dropped: the metadata names a new bookie only after it holds the data.
// If the ledger changed meanwhile (deleted, offloaded, no longer naming the gone bookie), nothing is
// recorded and the fragment is reported as skipped. Copies already written then stay orphaned on the
// replacement until the ledger is deleted (they are harmless: identical bytes, never read).
import { BadVersionError } from '../../metadata/index.js';
import { BookieStatus } from '../../protocol/index.js';
import type { Logger } from '../../common/index.js';
import { LedgerNotFoundError, NotEnoughBookiesError, ReplicationFailedError } from '../errors.js';
import { writeSetPositions, type LedgerMetadata } from '../metadata/ledger-metadata.js';
import type { LedgerMetadataStore } from '../metadata/ledger-metadata-store.js';
import type { BookiePool } from '../bookies/bookie-pool.js';
import { LedgerReader } from '../read/ledger-reader.js';
import { needsBookieCopies, type UnderReplicatedFragment } from './under-replication-scanner.js';

export interface FragmentReplicatorDeps {
  metadataStore: LedgerMetadataStore;
  pool: BookiePool;
  /** Ids of the bookies registered now. */
  liveBookies: () => string[];
  log: Logger;
}

export interface FragmentReplicatorOptions {
  /** Entries read per range read (E = Qw) before they are written. Default 64. */
  readBatch?: number;
  /** Metadata compare-and-set attempts before giving up for this round. Default 10. */
  casAttempts?: number;
}

export type ReplicationOutcome =
  | { kind: 'replicated'; copiedEntries: number; replacements: Record<string, string> }
  /** The ledger changed so that this fragment needs nothing from us any more. */
  | { kind: 'skipped'; reason: string; copiedEntries: number };

export class FragmentReplicator {
  private readonly readBatch: number;
  private readonly casAttempts: number;

  constructor(
    private readonly deps: FragmentReplicatorDeps,
    options: FragmentReplicatorOptions = {},
  ) {
    this.readBatch = options.readBatch ?? 64;
    this.casAttempts = options.casAttempts ?? 10;
  }

  /**
   * Copies the fragment's entries to replacements, then records them; throws when it cannot finish
   * (and with `signal`'s reason once it is aborted, between batches: what was copied stays unrecorded).
   */
  async replicate(fragment: UnderReplicatedFragment, signal?: AbortSignal): Promise<ReplicationOutcome> {
    let current: LedgerMetadata;
    try {
      ({ metadata: current } = await this.deps.metadataStore.read(fragment.ledgerId));
    } catch (err) {
      if (err instanceof LedgerNotFoundError) return { kind: 'skipped', reason: 'ledger deleted', copiedEntries: 0 };
      throw err;
    }
    const stale = staleness(current, fragment);
    if (stale) return { kind: 'skipped', reason: stale, copiedEntries: 0 };

    const replacements = this.pickReplacements(fragment);
    const copiedEntries = await this.copyEntries(current, fragment, replacements, signal);
    signal?.throwIfAborted();
    return this.record(fragment, replacements, copiedEntries);
  }

  /** A distinct live bookie outside the ensemble for each gone position. */
  private pickReplacements(fragment: UnderReplicatedFragment): Map<number, string> {
    const candidates = shuffle(this.deps.liveBookies().filter((b) => !fragment.ensemble.includes(b)));
    if (candidates.length < fragment.missingPositions.length) {
      throw new NotEnoughBookiesError(
        `ledger ${fragment.ledgerId} fragment ${fragment.fragmentIndex}: ${fragment.missingPositions.length} gone bookie(s) and ${candidates.length} live bookie(s) outside its ensemble`,
      );
    }
    return new Map(fragment.missingPositions.map((p, i) => [p, candidates[i]!]));
  }

  /** Writes to each replacement every entry whose write set includes its position; returns the writes. */
  private async copyEntries(metadata: LedgerMetadata, fragment: UnderReplicatedFragment, replacements: Map<number, string>, signal?: AbortSignal): Promise<number> {
    if (fragment.lastEntryId < fragment.firstEntryId) return 0;
    const e = fragment.ensemble.length;
    const reader = new LedgerReader(this.deps.pool, metadata);
    let copied = 0;
    for (let first = fragment.firstEntryId; first <= fragment.lastEntryId; ) {
      signal?.throwIfAborted();
      const last = Math.min(first + this.readBatch - 1, fragment.lastEntryId);
      const entries = await reader.read(first, last);
      const writes: Array<Promise<void>> = [];
      for (const entry of entries) {
        const positions = writeSetPositions(entry.entryId, e, metadata.writeQuorum);
        for (const [position, bookieId] of replacements) {
          if (!positions.includes(position)) continue;
          writes.push(this.recoveryAdd(bookieId, metadata, entry.entryId, entry.payload, entry.crc));
        }
      }
      await Promise.all(writes);
      copied += writes.length;
      first = last + 1;
    }
    return copied;
  }

  private async recoveryAdd(bookieId: string, metadata: LedgerMetadata, entryId: number, payload: Buffer, crc: number): Promise<void> {
    const client = await this.deps.pool.get(bookieId);
    // A closed ledger's entries are all confirmed: its last entry is a truthful LAC.
    const res = await client.addEntry({ ledgerId: metadata.id, entryId, lac: metadata.lastEntryId, payload, crc, recovery: true });
    if (res.status !== BookieStatus.OK) {
      throw new ReplicationFailedError(`ledger ${metadata.id} entry ${entryId}: bookie ${bookieId} refused the copy (status ${res.status})`);
    }
  }

  /** Replaces the gone bookies in the fragment's ensemble by compare-and-set, after the copies exist. */
  private async record(fragment: UnderReplicatedFragment, replacements: Map<number, string>, copiedEntries: number): Promise<ReplicationOutcome> {
    for (let attempt = 0; attempt < this.casAttempts; attempt++) {
      let version;
      let metadata: LedgerMetadata;
      try {
        ({ metadata, version } = await this.deps.metadataStore.read(fragment.ledgerId));
      } catch (err) {
        if (err instanceof LedgerNotFoundError) return { kind: 'skipped', reason: 'ledger deleted', copiedEntries };
        throw err;
      }
      const stale = staleness(metadata, fragment);
      if (stale) return { kind: 'skipped', reason: stale, copiedEntries };
      const ensemble = [...metadata.fragments[fragment.fragmentIndex]!.ensemble];
      for (const [position, bookieId] of replacements) ensemble[position] = bookieId;
      const fragments = metadata.fragments.map((f, i) => (i === fragment.fragmentIndex ? { ...f, ensemble } : f));
      try {
        await this.deps.metadataStore.update({ ...metadata, fragments }, version);
      } catch (err) {
        if (err instanceof BadVersionError) continue;
        throw err;
      }
      const named = Object.fromEntries([...replacements].map(([p, b]) => [fragment.ensemble[p]!, b]));
      this.deps.log.info({ ledgerId: fragment.ledgerId, fragment: fragment.fragmentIndex, replacements: named, copiedEntries }, 'fragment re-replicated');
      return { kind: 'replicated', copiedEntries, replacements: named };
    }
    throw new BadVersionError(`ledger ${fragment.ledgerId}`, `ledger ${fragment.ledgerId}: metadata kept changing; ${this.casAttempts} compare-and-set attempts failed`);
  }
}

/** Why the scanned fragment no longer matches the stored ledger (undefined when it still does). */
function staleness(metadata: LedgerMetadata, fragment: UnderReplicatedFragment): string | undefined {
  if (!needsBookieCopies(metadata)) return metadata.offload ? 'ledger offloaded' : `ledger is ${metadata.state}`;
  const stored = metadata.fragments[fragment.fragmentIndex];
  if (!stored || stored.firstEntryId !== fragment.firstEntryId) return 'fragments changed';
  if (fragment.missingPositions.some((p) => stored.ensemble[p] !== fragment.ensemble[p])) return 'gone bookie already replaced';
  return undefined;
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
