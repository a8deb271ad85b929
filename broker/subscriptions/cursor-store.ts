// Persists a subscription's ack state under /cursors/{topic}/{p}/{sub}, in transactions checked
// against the owner epoch, batching acks: an ack is answered once a write that includes it succeeded.
// Small states live in the metadata value itself; a state past `inlineMaxBytes` is written as an entry
// of a cursor ledger and the metadata value points at it — never truncated to fit.
import { keys, jsonValue, parseJson, BadVersionError, type MetadataStore, type PartitionRef } from '../../metadata/index.js';
import type { LedgerClient, LedgerWriter, Quorums } from '../../ledger/index.js';
import { delay } from '../../common/index.js';
import { OwnershipLostError } from '../errors.js';
import type { OwnerEpoch } from '../managed-ledger/index.js';

export interface StoredCursor {
  /** The ack state, base64, when it is small enough to live here. */
  ackState?: string;
  /** Otherwise where it lives: an entry of a cursor ledger. */
  ledger?: { ledgerId: number; entryId: number };
  lastActive: number;
}

export interface CursorStoreOptions {
  ledgers: LedgerClient;
  quorums: Quorums;
  /** Largest state kept inline in the metadata store. Default 16 KiB. */
  inlineMaxBytes?: number;
  /** Entries per cursor ledger before a new one is started (and the old one deleted). Default 1000. */
  entriesPerCursorLedger?: number;
  /**
   * Least time between the starts of two writes: acks arriving meanwhile share the next one, so a busy
   * subscription costs the metadata store (and its disk) at most 1000 / this writes per second. Default 20 ms.
   */
  minWriteIntervalMs?: number;
}

export class CursorStore {
  private writing: Promise<void> | undefined;
  private lastWriteStart = 0;
  private dirty = false;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private cursorLedger: LedgerWriter | undefined;
  /** A cursor ledger of this owner that the stored pointer no longer needs. */
  private retired: number[] = [];

  constructor(
    private readonly store: MetadataStore,
    private readonly partition: PartitionRef,
    readonly subscription: string,
    private readonly epoch: OwnerEpoch,
    private readonly snapshot: () => { state: Buffer; lastActive: number },
    private readonly options: CursorStoreOptions,
  ) {}

  /** Reads the stored state: inline, or from the cursor ledger it points at (recovering it if left open). */
  static async load(store: MetadataStore, ledgers: LedgerClient, partition: PartitionRef, subscription: string): Promise<{ state: Buffer; lastActive: number } | undefined> {
    const entry = await store.get(keys.cursor(partition, subscription));
    if (!entry) return undefined;
    const stored = parseJson<StoredCursor>(entry.value);
    if (stored.ackState !== undefined) return { state: Buffer.from(stored.ackState, 'base64'), lastActive: stored.lastActive };
    const { ledgerId, entryId } = stored.ledger!;
    const { metadata } = await ledgers.readMetadata(ledgerId);
    const reader = metadata.state === 'CLOSED' ? await ledgers.openReader(ledgerId) : await ledgers.openForRecovery(ledgerId);
    const [found] = await reader.read(entryId, entryId);
    return { state: found!.payload, lastActive: stored.lastActive };
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
      const wait = this.lastWriteStart + (this.options.minWriteIntervalMs ?? 20) - Date.now();
      if (wait > 0) await delay(wait);
      this.lastWriteStart = Date.now();
      this.dirty = false;
      const waiters = this.waiters;
      this.waiters = [];
      try {
        await this.write();
        for (const w of waiters) w.resolve();
      } catch (err) {
        const e = err instanceof BadVersionError ? new OwnershipLostError(`cannot persist subscription ${this.subscription}: ownership of ${this.partition.topic}/${this.partition.partition} lost`, { cause: err }) : (err as Error);
        for (const w of waiters) w.reject(e);
      }
    }
    this.writing = undefined;
  }

  private async write(): Promise<void> {
    const { state, lastActive } = this.snapshot();
    let value: StoredCursor;
    if (state.length <= (this.options.inlineMaxBytes ?? 16 * 1024)) {
      value = { ackState: state.toString('base64'), lastActive };
      if (this.cursorLedger) this.retire();
    } else {
      value = { ledger: await this.appendToCursorLedger(state), lastActive };
    }
    await this.store.txn({
      compares: [{ key: this.epoch.key, createRevision: this.epoch.createRevision }],
      ops: [{ type: 'put', key: keys.cursor(this.partition, this.subscription), value: jsonValue(value) }],
    });
    // Ledgers the pointer has moved past can go now that the new pointer is durable.
    for (const id of this.retired.splice(0)) await this.options.ledgers.deleteLedger(id).catch(() => undefined);
  }

  private async appendToCursorLedger(state: Buffer): Promise<{ ledgerId: number; entryId: number }> {
    if (this.cursorLedger && this.cursorLedger.lac + 1 >= (this.options.entriesPerCursorLedger ?? 1000)) this.retire();
    if (!this.cursorLedger) {
      this.cursorLedger = await this.options.ledgers.createLedger({
        ...this.options.quorums,
        properties: { topic: this.partition.topic, partition: String(this.partition.partition), cursor: this.subscription },
      });
      await this.options.ledgers.clearIntent(this.cursorLedger.ledgerId);
    }
    const entryId = await this.cursorLedger.append(state);
    return { ledgerId: this.cursorLedger.ledgerId, entryId };
  }

  private retire(): void {
    const old = this.cursorLedger!;
    this.cursorLedger = undefined;
    this.retired.push(old.ledgerId);
    void old.close().catch(() => undefined);
  }

  async delete(): Promise<void> {
    await this.store.txn({
      compares: [{ key: this.epoch.key, createRevision: this.epoch.createRevision }],
      ops: [{ type: 'delete', key: keys.cursor(this.partition, this.subscription) }],
    });
    if (this.cursorLedger) this.retire();
    for (const id of this.retired.splice(0)) await this.options.ledgers.deleteLedger(id).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.writing;
    await this.cursorLedger?.close().catch(() => undefined);
  }
}
