// Reading and compare-and-set writing of ledger metadata, ledger ids and creation intents.
import { BadVersionError, KeyExistsError, jsonValue, keys, type MetadataStore, type Revision } from '../../metadata/index.js';
import { LedgerNotFoundError } from '../errors.js';
import { decodeLedgerMetadata, encodeLedgerMetadata, type LedgerMetadata } from './ledger-metadata.js';

export interface VersionedLedgerMetadata {
  metadata: LedgerMetadata;
  version: Revision;
}

export class LedgerMetadataStore {
  constructor(readonly store: MetadataStore) {}

  /** A new ledger id: ids come from one counter, so they only grow. */
  nextLedgerId(): Promise<number> {
    return this.store.increment(keys.ledgerIdCounter);
  }

  /** Records that `owner` is creating ledger `id`, so no reconciler deletes it before it is listed. */
  async recordIntent(id: number, owner: string): Promise<void> {
    await this.store.put(keys.ledgerIntent(id), jsonValue({ owner, createdAt: Date.now() }));
  }

  async clearIntent(id: number): Promise<void> {
    await this.store.delete(keys.ledgerIntent(id));
  }

  async create(metadata: LedgerMetadata): Promise<VersionedLedgerMetadata> {
    try {
      const version = await this.store.put(keys.ledger(metadata.id), encodeLedgerMetadata(metadata), { expectedVersion: 'absent' });
      return { metadata, version };
    } catch (err) {
      if (err instanceof KeyExistsError) throw new BadVersionError(keys.ledger(metadata.id), `ledger ${metadata.id} already exists`);
      throw err;
    }
  }

  async read(id: number): Promise<VersionedLedgerMetadata> {
    const entry = await this.store.get(keys.ledger(id));
    if (!entry) throw new LedgerNotFoundError(`ledger ${id} does not exist`);
    return { metadata: decodeLedgerMetadata(entry.value), version: entry.version };
  }

  /** Writes `next` if the stored version is still `version` (BadVersionError otherwise). */
  async update(next: LedgerMetadata, version: Revision): Promise<VersionedLedgerMetadata> {
    const newVersion = await this.store.put(keys.ledger(next.id), encodeLedgerMetadata(next), { expectedVersion: version });
    return { metadata: next, version: newVersion };
  }

  async delete(id: number): Promise<void> {
    await this.store.delete(keys.ledger(id));
  }
}
