// Persists a subscription's ack state under /cursors/{topic}/{p}/{sub}, in transactions checked
// against the owner epoch, batching acks: an ack is answered once a write that includes it succeeded.
import { keys, jsonValue, parseJson, BadVersionError, type MetadataStore, type PartitionRef } from '../../metadata/index.js';
import { OwnershipLostError } from '../errors.js';
import type { OwnerEpoch } from '../managed-ledger/index.js';

export interface StoredCursor {
  ackState: string;
  lastActive: number;
}

export class CursorStore {
  private writing: Promise<void> | undefined;
  private dirty = false;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(
    private readonly store: MetadataStore,
    private readonly partition: PartitionRef,
    readonly subscription: string,
    private readonly epoch: OwnerEpoch,
    private readonly snapshot: () => StoredCursor,
  ) {}

  static async load(store: MetadataStore, partition: PartitionRef, subscription: string): Promise<StoredCursor | undefined> {
    const entry = await store.get(keys.cursor(partition, subscription));
    return entry ? parseJson<StoredCursor>(entry.value) : undefined;
  }

  /** Resolves once the state as of now (or later) is durable. */
  persist(): Promise<void> {
    this.dirty = true;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) this.writing = this.loop();
    return done;
  }

  private async loop(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const waiters = this.waiters;
      this.waiters = [];
      try {
        await this.store.txn({
          compares: [{ key: this.epoch.key, createRevision: this.epoch.createRevision }],
          ops: [{ type: 'put', key: keys.cursor(this.partition, this.subscription), value: jsonValue(this.snapshot()) }],
        });
        for (const w of waiters) w.resolve();
      } catch (err) {
        const e = err instanceof BadVersionError ? new OwnershipLostError(`cannot persist subscription ${this.subscription}: ownership of ${this.partition.topic}/${this.partition.partition} lost`, { cause: err }) : (err as Error);
        for (const w of waiters) w.reject(e);
      }
    }
    this.writing = undefined;
  }

  async delete(): Promise<void> {
    await this.store.txn({
      compares: [{ key: this.epoch.key, createRevision: this.epoch.createRevision }],
      ops: [{ type: 'delete', key: keys.cursor(this.partition, this.subscription) }],
    });
  }
}
