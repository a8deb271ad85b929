// The placement keys (metadata/keys.ts): assignments, which say who claims an unowned partition, and
// draining markers; and the live brokers they are read against. Plain keys, bound to no session: an
// assignment outlives the brokers it names, and is ignored while its assignee is gone or draining.
import { jsonValue, keys, parseJson, type MetadataStore, type PartitionRef } from '../../metadata/index.js';

/** A registered broker (under /brokers/, so its session is alive). */
export interface LiveBroker {
  id: string;
  httpUrl: string;
  binaryUrl: string;
  draining: boolean;
}

export class PlacementStore {
  constructor(private readonly store: MetadataStore) {}

  /** The broker `p` is assigned to, if any. */
  async assignee(p: PartitionRef): Promise<string | undefined> {
    const entry = await this.store.get(keys.assignment(p));
    return entry ? parseJson<{ brokerId: string }>(entry.value).brokerId : undefined;
  }

  async assign(p: PartitionRef, brokerId: string): Promise<void> {
    await this.store.put(keys.assignment(p), jsonValue({ brokerId }));
  }

  /** The live brokers, sorted by id, each with whether it is draining. */
  async brokers(): Promise<LiveBroker[]> {
    const [registered, draining] = await Promise.all([this.store.list(keys.brokers), this.store.list(keys.drainingBrokers)]);
    const drainingIds = new Set(draining.entries.map((e) => e.key.slice(keys.drainingBrokers.length)));
    return registered.entries
      .map((e) => {
        const id = e.key.slice(keys.brokers.length);
        const v = parseJson<{ httpUrl: string; binaryUrl?: string }>(e.value);
        return { id, httpUrl: v.httpUrl, binaryUrl: v.binaryUrl ?? '', draining: drainingIds.has(id) };
      })
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async markDraining(brokerId: string): Promise<void> {
    await this.store.put(keys.draining(brokerId), jsonValue({ since: Date.now() }));
  }

  /** A broker that starts takes partitions again: a drain lasts until its restart. */
  async clearDraining(brokerId: string): Promise<void> {
    await this.store.delete(keys.draining(brokerId));
  }
}
