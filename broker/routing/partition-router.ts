// Where a partition is served: here (loaded, or claimed and loaded now), at the broker that owns it, or —
// for an unowned partition — at the broker the claim rule names (placement/claim-rule.ts: its live
// assignee — placed by the load manager's leader when it has none — else the broker asked unless it is
// draining). Loads are lazy and throttled, and the metadata
// operations each load costs are measured. A partition being unloaded (a move) is answered once it is
// released, so requests for it follow it to its new broker instead of failing.
import type { Histogram } from 'prom-client';
import type { Logger } from '../../common/index.js';
import { keys, parseJson, type MetadataStore, type PartitionRef, type Session } from '../../metadata/index.js';
import { OwnershipLostError, PartitionUnavailableError } from '../errors.js';
import { claimPartition, releasePartition } from '../ownership/partition-ownership.js';
import { Partition, type MovedTo, type PartitionConfig, type PartitionDeps } from '../partition/partition.js';
import { decideClaim, type LiveBroker, type PlacementStore } from '../placement/index.js';
import { countingStore } from './counting-store.js';
import { LoadLimiter } from './load-limiter.js';

export type Route = { kind: 'local'; partition: Partition } | { kind: 'remote'; brokerId: string; url: string; binaryUrl: string };

export interface PartitionRouterDeps {
  brokerId: string;
  store: MetadataStore;
  placement: PlacementStore;
  /** The load manager's choice for an unowned partition without a live assignee (undefined: none). */
  placementFor?: (p: PartitionRef) => Promise<string | undefined>;
  session: () => Session | undefined;
  partitionDeps: Omit<PartitionDeps, 'store'>;
  partitionConfig: PartitionConfig;
  loadConcurrency: number;
  loadOperations: Histogram;
  onLoadedCountChanged: (n: number) => void;
  log: Logger;
}

/** Metadata lookups of unloaded partitions in flight at once. */
const LOOKUP_CONCURRENCY = 64;

function remote(b: LiveBroker): Route {
  return { kind: 'remote', brokerId: b.id, url: b.httpUrl, binaryUrl: b.binaryUrl };
}

export class PartitionRouter {
  private readonly loaded = new Map<string, Promise<Partition>>();
  /** Partitions being closed and released for a move. */
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly limiter: LoadLimiter;
  private readonly lookups = new LoadLimiter(LOOKUP_CONCURRENCY, 'partition lookups waiting');

  constructor(private readonly deps: PartitionRouterDeps) {
    this.limiter = new LoadLimiter(deps.loadConcurrency);
  }

  get size(): number {
    return this.loaded.size;
  }

  private static id(p: PartitionRef): string {
    return `${p.topic}/${p.partition}`;
  }

  /** Where `p` is served. With `claim`, an unowned partition is claimed and loaded here if the claim rule says so. */
  async route(p: PartitionRef, { claim }: { claim: boolean }): Promise<Route> {
    const unloading = this.unloading.get(PartitionRouter.id(p));
    if (unloading) await unloading;
    const loaded = this.loaded.get(PartitionRouter.id(p));
    if (loaded) return { kind: 'local', partition: await loaded };
    // Metadata reads for unloaded partitions are bounded like loads: one request touching a thousand of
    // them would otherwise start thousands of calls in one turn of the event loop. Asking the leader for
    // a placement (which may wait on an unreachable leader) happens outside the bound.
    const found = await this.lookups.run(() => this.lookup(p, claim));
    if (found.kind === 'unowned') return this.place(p, found.assigned, found.brokers);
    return found.kind === 'load-here' ? { kind: 'local', partition: await this.load(p) } : found;
  }

  /** What the metadata store says of an unloaded partition: served elsewhere, ours to load, or unowned. */
  private async lookup(p: PartitionRef, claim: boolean): Promise<Route | { kind: 'load-here' } | { kind: 'unowned'; assigned: string | undefined; brokers: LiveBroker[] }> {
    const key = await this.deps.store.get(keys.ownership(p));
    if (!key) {
      if (!claim) throw new OwnershipLostError(`partition ${p.topic}/${p.partition} is not owned by broker ${this.deps.brokerId}`);
      const [assigned, brokers] = await Promise.all([this.deps.placement.assignee(p), this.deps.placement.brokers()]);
      return { kind: 'unowned', assigned, brokers };
    }
    const owner = parseJson<{ brokerId: string }>(key.value).brokerId;
    if (owner === this.deps.brokerId) return { kind: 'load-here' };
    const broker = await this.deps.store.get(keys.broker(owner));
    if (!broker) {
      throw new PartitionUnavailableError(`partition ${p.topic}/${p.partition} is owned by broker ${owner}, which is gone; another broker takes it once its lease expires`);
    }
    const registered = parseJson<{ httpUrl: string; binaryUrl?: string }>(broker.value);
    return { kind: 'remote', brokerId: owner, url: registered.httpUrl, binaryUrl: registered.binaryUrl ?? '' };
  }

  /** Claims and loads an unowned partition here, or names the broker that should, by the claim rule. */
  private async place(p: PartitionRef, assigned: string | undefined, brokers: LiveBroker[]): Promise<Route> {
    let assignee = assigned;
    // The leader decides only where there is a choice: no live assignee, and another broker could take it.
    const eligible = brokers.filter((b) => !b.draining);
    const choice = eligible.length > 1 || (eligible.length === 1 && eligible[0]!.id !== this.deps.brokerId);
    if (this.deps.placementFor && choice && !eligible.some((b) => b.id === assignee)) assignee = (await this.deps.placementFor(p)) ?? assignee;
    const decision = decideClaim({ self: this.deps.brokerId, p, assignee, brokers });
    if (decision.kind === 'claim') return { kind: 'local', partition: await this.load(p) };
    if (decision.kind === 'elsewhere') return remote(decision.broker);
    throw new PartitionUnavailableError(`partition ${p.topic}/${p.partition} is not served: ${decision.reason}`);
  }

  /**
   * Gives a loaded partition up for a move: its clients are told where it goes, it stops taking writes,
   * closes its ledger, saves cursors and dedup state, and releases its ownership key. Requests for it
   * wait meanwhile. False if it is not loaded here.
   */
  async unload(p: PartitionRef, movedTo: MovedTo): Promise<boolean> {
    const id = PartitionRouter.id(p);
    const pending = this.unloading.get(id);
    if (pending) return pending.then(() => false);
    const loading = this.loaded.get(id);
    if (!loading) return false;
    const unloading = (async () => {
      const partition = await loading.catch(() => undefined);
      if (!partition || this.loaded.get(id) !== loading) return false;
      this.loaded.delete(id);
      this.deps.onLoadedCountChanged(this.loaded.size);
      partition.markGone(movedTo);
      await partition.close().catch((err: unknown) => this.deps.log.warn({ err, partition: p }, 'closing a partition failed'));
      await releasePartition(this.deps.store, partition.epoch);
      return true;
    })();
    this.unloading.set(
      id,
      unloading.then(
        () => undefined,
        () => undefined,
      ),
    );
    try {
      return await unloading;
    } finally {
      this.unloading.delete(id);
    }
  }

  /** The loaded partition, claiming and loading it (throttled) on first use. */
  load(p: PartitionRef): Promise<Partition> {
    const id = PartitionRouter.id(p);
    let loading = this.loaded.get(id);
    if (!loading) {
      loading = this.limiter.run(() => this.loadNow(p));
      this.loaded.set(id, loading);
      loading.then(
        () => this.deps.onLoadedCountChanged(this.loaded.size),
        () => this.loaded.delete(id),
      );
    }
    return loading;
  }

  private async loadNow(p: PartitionRef): Promise<Partition> {
    const session = this.deps.session();
    if (!session || session.state !== 'alive') throw new PartitionUnavailableError(`broker ${this.deps.brokerId} takes no partitions while its session is ${session?.state ?? 'missing'}`);
    const counted = countingStore(this.deps.store);
    const claim = await claimPartition(counted.store, session, this.deps.brokerId, p);
    if (!claim.owned) throw new OwnershipLostError(`partition ${p.topic}/${p.partition} is owned by broker ${claim.owner}`);
    try {
      // The partition keeps the counting view; only the count at the end of the load is recorded.
      const partition = await Partition.load({ ...this.deps.partitionDeps, store: counted.store }, p, claim.epoch, this.deps.partitionConfig);
      this.deps.loadOperations.observe(counted.operations());
      return partition;
    } catch (err) {
      await releasePartition(this.deps.store, claim.epoch);
      throw err;
    }
  }

  /** Forgets a partition (after deleting it, or losing it). */
  drop(p: PartitionRef): void {
    const id = PartitionRouter.id(p);
    this.loaded.get(id)?.then((partition) => partition.markGone(), () => undefined);
    this.loaded.delete(id);
    this.deps.onLoadedCountChanged(this.loaded.size);
  }

  async all(): Promise<Partition[]> {
    const out: Partition[] = [];
    for (const p of [...this.loaded.values()]) {
      const partition = await p.catch(() => undefined);
      if (partition) out.push(partition);
    }
    return out;
  }

  /** Closes every partition cleanly and releases its ownership. */
  async unloadAll(): Promise<void> {
    const all = await this.all();
    this.loaded.clear();
    this.deps.onLoadedCountChanged(0);
    for (const partition of all) {
      await partition.close().catch((err: unknown) => this.deps.log.warn({ err, partition: partition.ref }, 'closing a partition failed'));
      await releasePartition(this.deps.store, partition.epoch);
    }
  }
}
