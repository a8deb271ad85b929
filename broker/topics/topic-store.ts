// Topic metadata under /topics/{tenant}/{ns}/{topic}: {partitions, createdAt}. Created with
// create-if-absent, so two admins creating one topic agree; changed settings are a conflict.
import { KeyExistsError, keys, jsonValue, parseJson, type MetadataStore } from '../../metadata/index.js';
import { InvalidRequestError, TopicExistsError, TopicNotFoundError } from '../errors.js';
import type { TopicName } from './topic-name.js';

export const MAX_PARTITIONS = 1024;

export interface TopicMetadata {
  partitions: number;
  createdAt: number;
}

export class TopicStore {
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
    const entry = await this.store.get(keys.topic(name.full));
    if (!entry) throw new TopicNotFoundError(`topic ${name.full} does not exist`);
    return parseJson<TopicMetadata>(entry.value);
  }

  async list(tenant: string, namespace: string): Promise<Array<{ name: string; partitions: number }>> {
    const { entries } = await this.store.list(keys.topics(tenant, namespace));
    return entries.map((e) => ({ name: e.key.slice('/topics/'.length), partitions: parseJson<TopicMetadata>(e.value).partitions }));
  }

  async delete(name: TopicName): Promise<void> {
    if (!(await this.store.delete(keys.topic(name.full)))) throw new TopicNotFoundError(`topic ${name.full} does not exist`);
  }
}
