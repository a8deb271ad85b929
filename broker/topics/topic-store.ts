// Topic metadata under /topics/{tenant}/{ns}/{topic}: {partitions, createdAt}. Created with
// create-if-absent, so two admins creating one topic agree; changed settings are a conflict.
import { KeyExistsError, StoreUnavailableError, keys, jsonValue, parseJson, type MetadataStore } from '../../metadata/index.js';
import { InvalidRequestError, TopicExistsError, TopicNotFoundError } from '../errors.js';
import type { TopicName } from './topic-name.js';

export const MAX_PARTITIONS = 1024;

export interface TopicMetadata {
  partitions: number;
  createdAt: number;
}

/** How long a topic's settings are served from memory before they are read again. */
const CACHE_MS = 30_000;

export class TopicStore {
  /** Topics' settings as last read: a partition count never changes, and serving goes on from here while the store is unreachable. */
  private readonly cache = new Map<string, { metadata: TopicMetadata; readAt: number }>();

  constructor(private readonly store: MetadataStore) {}

  /** Creates the topic; 'created', or 'exists' when it exists with the same settings. */
  async create(name: TopicName, partitions: number): Promise<'created' | 'exists'> {
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new InvalidRequestError(`partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${JSON.stringify(partitions)}`);
    }
    try {
      await this.store.put(keys.topic(name.full), jsonValue({ partitions, createdAt: Date.now() } satisfies TopicMetadata), { expectedVersion: 'absent' });
      return 'created';
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      const existing = await this.get(name);
      if (existing.partitions === partitions) return 'exists';
      throw new TopicExistsError(`topic ${name.full} exists with ${existing.partitions} partitions`);
    }
  }

  async get(name: TopicName): Promise<TopicMetadata> {
    const cached = this.cache.get(name.full);
    if (cached && Date.now() - cached.readAt < CACHE_MS) return cached.metadata;
    let entry;
    try {
      entry = await this.store.get(keys.topic(name.full));
    } catch (err) {
      if (cached && err instanceof StoreUnavailableError) return cached.metadata;
      throw err;
    }
    if (!entry) {
      this.cache.delete(name.full);
      throw new TopicNotFoundError(`topic ${name.full} does not exist`);
    }
    const metadata = parseJson<TopicMetadata>(entry.value);
    this.cache.set(name.full, { metadata, readAt: Date.now() });
    return metadata;
  }

  async list(tenant: string, namespace: string): Promise<Array<{ name: string; partitions: number }>> {
    const { entries } = await this.store.list(keys.topics(tenant, namespace));
    return entries.map((e) => ({ name: e.key.slice('/topics/'.length), partitions: parseJson<TopicMetadata>(e.value).partitions }));
  }

  async delete(name: TopicName): Promise<void> {
    this.cache.delete(name.full);
    if (!(await this.store.delete(keys.topic(name.full)))) throw new TopicNotFoundError(`topic ${name.full} does not exist`);
  }
}
