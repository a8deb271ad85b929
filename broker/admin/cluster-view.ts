// Read-only views of the cluster for the admin API: registered brokers (with their partition counts),
// bookies, and who owns which partition — straight from the metadata store.
import { keys, parseJson, type MetadataStore } from '../../metadata/index.js';

export interface BrokerListing {
  id: string;
  httpUrl: string;
  binaryUrl: string;
  partitions: number;
}

export interface BookieListing {
  id: string;
  address: string;
}

export interface OwnershipListing {
  topic: string;
  partition: number;
  broker: string;
}

export async function listBrokers(store: MetadataStore): Promise<BrokerListing[]> {
  const [{ entries }, owned] = await Promise.all([store.list(keys.brokers), store.list(keys.ownerships)]);
  const counts = new Map<string, number>();
  for (const o of owned.entries) {
    const b = parseJson<{ brokerId: string }>(o.value).brokerId;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return entries.map((e) => {
    const id = e.key.slice(keys.brokers.length);
    const v = parseJson<{ httpUrl: string; binaryUrl?: string }>(e.value);
    return { id, httpUrl: v.httpUrl, binaryUrl: v.binaryUrl ?? '', partitions: counts.get(id) ?? 0 };
  });
}

export async function listBookies(store: MetadataStore): Promise<BookieListing[]> {
  const { entries } = await store.list(keys.bookies);
  return entries.map((e) => ({ id: e.key.slice(keys.bookies.length), address: parseJson<{ address: string }>(e.value).address }));
}

export async function listOwnership(store: MetadataStore): Promise<OwnershipListing[]> {
  const { entries } = await store.list(keys.ownerships);
  return entries.map((e) => {
    const path = e.key.slice(keys.ownerships.length);
    const cut = path.lastIndexOf('/');
    return { topic: path.slice(0, cut), partition: Number(path.slice(cut + 1)), broker: parseJson<{ brokerId: string }>(e.value).brokerId };
  });
}
