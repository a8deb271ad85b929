// Reads and writes a partition's ledger list, every write in one transaction that checks both the
// list's version and the owner epoch.
import { BadVersionError, keys, type MetadataStore, type PartitionRef, type Revision, type Session } from '../../metadata/index.js';
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

  /**
   * Takes the ownership key again after this broker's session expired (the key went with it): in one
   * transaction, only if the key is still absent and the ledger list unchanged since this owner last
   * wrote it. On success the owner epoch (shared with every writer of this partition) moves to the new
   * key's creation revision; false means another broker may have taken over: let go.
   */
  async rebind(session: Session, value: Buffer): Promise<boolean> {
    try {
      const revision = await this.store.txn({
        compares: [{ key: this.epoch.key, version: 'absent' }, { key: keys.partition(this.partition), version: this.version }],
        ops: [{ type: 'put', key: this.epoch.key, value, session }],
      });
      this.epoch.createRevision = revision;
      return true;
    } catch (err) {
      if (!(err instanceof BadVersionError)) throw err;
      // An earlier attempt whose answer was lost may have re-bound it already: the same value, written
      // for this very session, and the ledger list untouched since.
      const [key, list] = await Promise.all([this.store.get(this.epoch.key), this.store.get(keys.partition(this.partition))]);
      // Still the key this owner holds (claimed under a session that is alive): nothing to re-bind.
      if (key && key.createRevision === this.epoch.createRevision) return true;
      if (key && key.value.equals(value) && (list?.version ?? 'absent') === this.version) {
        this.epoch.createRevision = key.createRevision;
        return true;
      }
      return false;
    }
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
