// Reads and writes a partition's ledger list, every write in one transaction that checks both the
// list's version and the owner epoch.
import { BadVersionError, keys, type MetadataStore, type PartitionRef, type Revision } from '../../metadata/index.js';
import { OwnershipLostError } from '../errors.js';
import { decodePartitionLog, encodePartitionLog, type PartitionLogMetadata } from './partition-log-metadata.js';
import { ownerCompare, type OwnerEpoch } from './owner-epoch.js';

export class PartitionLogStore {
  private version: Revision | 'absent' = 'absent';
  private current: PartitionLogMetadata = { ledgers: [] };

  constructor(
    private readonly store: MetadataStore,
    readonly partition: PartitionRef,
    private readonly epoch: OwnerEpoch,
  ) {}

  get log(): PartitionLogMetadata {
    return this.current;
  }

  async load(): Promise<PartitionLogMetadata> {
    const entry = await this.store.get(keys.partition(this.partition));
    this.version = entry ? entry.version : 'absent';
    this.current = entry ? decodePartitionLog(entry.value) : { ledgers: [] };
    return this.current;
  }

  /** Writes `next` if nothing changed since the last load or write and this broker still owns the partition. */
  async write(next: PartitionLogMetadata): Promise<void> {
    try {
      this.version = await this.store.txn({
        compares: [ownerCompare(this.epoch), { key: keys.partition(this.partition), version: this.version }],
        ops: [{ type: 'put', key: keys.partition(this.partition), value: encodePartitionLog(next) }],
      });
      this.current = next;
    } catch (err) {
      if (err instanceof BadVersionError) {
        throw new OwnershipLostError(`partition ${this.partition.topic}/${this.partition.partition}: ownership or ledger list changed under this broker`, { cause: err });
      }
      throw err;
    }
  }
}
