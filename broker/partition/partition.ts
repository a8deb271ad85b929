// One partition this broker owns: its log, deduplication, subscriptions and counters. Loading it
// recovers the log and rebuilds the dedup state before anything is served.
import { encodeMessageBatch, encodeMessageId, type MessageInput, type MessagePosition } from '../../protocol/index.js';
import type { Logger } from '../../common/index.js';
import type { LedgerClient } from '../../ledger/index.js';
import { keys, type MetadataStore, type PartitionRef } from '../../metadata/index.js';
import { InvalidRequestError, PartitionBusyError } from '../errors.js';
import type { IncomingMessage, PartitionStats, ProduceResult } from '../http/broker-api.js';
import { DEFAULT_MANAGED_LEDGER_CONFIG, ManagedLedger, type ClosedLedgerOpener, type ManagedLedgerConfig, type OwnerEpoch, type Position } from '../managed-ledger/index.js';
import type { DedupState } from '../dedup/dedup-state.js';
import { loadDedupState, saveDedupSnapshot } from '../dedup/dedup-loader.js';
import { AckSet } from '../subscriptions/ack-set.js';
import { ledgerOrderOf } from '../subscriptions/ledger-order.js';
import { CursorStore } from '../subscriptions/cursor-store.js';
import { QueueSubscription } from '../subscriptions/queue-subscription.js';
import { ProduceBatcher } from './produce-batcher.js';
import { ledgersToTrim, type RetentionPolicy } from './retention.js';
import { comparePositions } from '../managed-ledger/index.js';

export interface PartitionConfig {
  managedLedger: Partial<ManagedLedgerConfig>;
  maxUnackedPerSubscription: number;
  /** A dedup snapshot is written after this many stored entries. Default 1000. */
  dedupSnapshotEvery: number;
  /** Ack states larger than this go to a cursor ledger. Default 16 KiB. */
  cursorInlineMaxBytes?: number;
}

export interface PartitionDeps {
  store: MetadataStore;
  ledgers: LedgerClient;
  log: Logger;
  openClosedLedger?: ClosedLedgerOpener;
  deleteLedger?: (ledgerId: number) => Promise<void>;
}

export class Partition {
  private readonly subscriptions = new Map<string, Promise<QueueSubscription>>();
  private readonly batcher: ProduceBatcher;
  msgIn = 0;
  bytesIn = 0;
  private entriesSinceSnapshot = 0;
  private snapshotting: Promise<void> | undefined;

  private constructor(
    private readonly deps: PartitionDeps,
    readonly ref: PartitionRef,
    readonly epoch: OwnerEpoch,
    readonly ml: ManagedLedger,
    private readonly dedup: DedupState,
    private readonly config: PartitionConfig,
  ) {
    this.batcher = new ProduceBatcher(ml, (bytes, messages) => this.count(bytes, messages));
  }

  static async load(deps: PartitionDeps, ref: PartitionRef, epoch: OwnerEpoch, config: PartitionConfig): Promise<Partition> {
    const ml = await ManagedLedger.open(deps, ref, epoch, config.managedLedger);
    const { state, replayed } = await loadDedupState(deps.store, ref, ml);
    deps.log.info({ partition: ref, replayed, producers: state.producerCount }, 'partition loaded');
    return new Partition(deps, ref, epoch, ml, state, config);
  }

  private count(bytes: number, messages: number): void {
    this.msgIn += messages;
    this.bytesIn += bytes;
    if (++this.entriesSinceSnapshot >= this.config.dedupSnapshotEvery && !this.snapshotting) {
      this.entriesSinceSnapshot = 0;
      this.snapshotting = saveDedupSnapshot(this.deps.store, this.ref, this.epoch, this.dedup)
        .catch((err: unknown) => this.deps.log.warn({ err, partition: this.ref }, 'dedup snapshot failed'))
        .finally(() => (this.snapshotting = undefined));
    }
  }

  /**
   * Stores messages of one produce call, in order; each result is answered only once durable.
   * Messages with a producer and sequence ids go through deduplication, as batches of consecutive ids.
   */
  async produce(producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]> {
    const results: ProduceResult[] = new Array(messages.length);
    // Runs are stored one after the other, so the messages of one call keep their order.
    for (const { start, end } of splitRuns(messages)) {
      await (async () => {
        const slice = messages.slice(start, end);
        const first = slice[0]!.sequenceId;
        try {
          const ids = producer !== undefined && first !== undefined ? await this.produceDeduplicated(producer, first, slice) : await this.produceAnonymous(slice);
          ids.forEach((r, i) => (results[start + i] = r));
        } catch (err) {
          const e = err as { code?: string; message?: string };
          for (let i = start; i < end; i++) results[i] = { partition: this.ref.partition, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
        }
      })();
    }
    return results;
  }

  private async produceAnonymous(messages: IncomingMessage[]): Promise<ProduceResult[]> {
    const { position, firstIndex } = await this.batcher.add(messages.map(toInput));
    return messages.map((_, i) => ({ partition: this.ref.partition, id: this.idOf({ ...position, batchIndex: firstIndex + i }) }));
  }

  private async produceDeduplicated(producer: string, first: number, messages: IncomingMessage[]): Promise<ProduceResult[]> {
    const last = first + messages.length - 1;
    const verdict = this.dedup.check(producer, first, last);
    if (verdict.status === 'duplicate') {
      return messages.map((_, i) => {
        // The stored position is known while the ids lie in the producer's last stored batch.
        const id = verdict.position ? this.idOf({ ...verdict.position, batchIndex: verdict.position.batchIndex + i }) : null;
        return { partition: this.ref.partition, id, duplicate: true as const };
      });
    }
    if (verdict.status === 'in-flight') throw new PartitionBusyError(`producer ${producer}: sequence ids ${first}..${last} are being stored; retry`);
    if (verdict.status === 'overlap') {
      throw new InvalidRequestError(`producer ${producer}: sequence ids ${first}..${last} overlap what is stored (last ${this.dedup.lastSequenceId(producer)}); resend batches unchanged`);
    }
    this.dedup.markPending(producer, last);
    const entry = Buffer.concat(encodeMessageBatch({ producerName: producer, firstSequenceId: first, publishTime: Date.now() }, messages.map(toInput)));
    let position: Position;
    try {
      position = await this.ml.append(entry);
    } catch (err) {
      this.dedup.discardPending();
      throw err;
    }
    this.dedup.record(producer, last, { ...position, batchIndex: messages.length - 1 });
    this.count(entry.length, messages.length);
    return messages.map((_, i) => ({ partition: this.ref.partition, id: this.idOf({ ...position, batchIndex: i }) }));
  }

  private idOf(p: MessagePosition): string {
    return encodeMessageId({ partition: this.ref.partition, ...p });
  }

  /** The subscription, created at the earliest message on first use. */
  subscription(name: string): Promise<QueueSubscription> {
    let sub = this.subscriptions.get(name);
    if (!sub) {
      sub = this.openSubscription(name);
      this.subscriptions.set(name, sub);
      sub.catch(() => this.subscriptions.delete(name));
    }
    return sub;
  }

  private async openSubscription(name: string): Promise<QueueSubscription> {
    const order = ledgerOrderOf(() => this.ml.ledgers);
    const stored = await CursorStore.load(this.deps.store, this.deps.ledgers, this.ref, name);
    const acks = stored ? AckSet.deserialize(order, stored.state) : new AckSet(order, { ledgerId: 0, entryId: -1 });
    const holder: { sub?: QueueSubscription } = {};
    const { ensembleSize, writeQuorum, ackQuorum } = { ...DEFAULT_MANAGED_LEDGER_CONFIG, ...this.config.managedLedger };
    const cursor = new CursorStore(
      this.deps.store,
      this.ref,
      name,
      this.epoch,
      () => ({ state: acks.serialize(), lastActive: holder.sub?.lastActive ?? Date.now() }),
      { ledgers: this.deps.ledgers, quorums: { ensembleSize, writeQuorum, ackQuorum }, inlineMaxBytes: this.config.cursorInlineMaxBytes },
    );
    const sub = (holder.sub = new QueueSubscription(name, this.ref.partition, this.ml, acks, cursor, { maxUnacked: this.config.maxUnackedPerSubscription }));
    if (stored) sub.lastActive = stored.lastActive;
    else await cursor.persist();
    return sub;
  }

  /** Subscriptions loaded or stored for this partition. */
  async subscriptionNames(): Promise<string[]> {
    const { entries } = await this.deps.store.list(`/cursors/${this.ref.topic}/${this.ref.partition}/`);
    const names = new Set(entries.map((e) => e.key.slice(e.key.lastIndexOf('/') + 1)));
    for (const n of this.subscriptions.keys()) names.add(n);
    return [...names];
  }

  /**
   * Periodic upkeep: rolls an old ledger, expires subscriptions idle longer than `subscriptionExpiryMs`,
   * and deletes the ledgers retention allows. Returns what it did, for logs and tests.
   */
  async maintain(retention: RetentionPolicy, subscriptionExpiryMs: number): Promise<{ expired: string[]; trimmed: number[] }> {
    this.ml.checkAge();
    const expired: string[] = [];
    let slowest: Position | undefined;
    for (const name of await this.subscriptionNames()) {
      const sub = await this.subscription(name);
      if (Date.now() - sub.lastActive > subscriptionExpiryMs && sub.unacked === 0) {
        await sub.delete();
        this.subscriptions.delete(name);
        expired.push(name);
        continue;
      }
      const md = sub.acks.markDelete;
      if (slowest === undefined || comparePositions(md, slowest) < 0) slowest = md;
    }
    const last = ledgersToTrim(this.ml.ledgers, slowest, retention);
    const trimmed = last === undefined ? [] : await this.ml.trimLedgers(last);
    if (trimmed.length > 0) {
      for (const sub of this.subscriptions.values()) (await sub).acks.refresh();
    }
    if (expired.length > 0 || trimmed.length > 0) this.deps.log.info({ partition: this.ref, expired, trimmed }, 'retention');
    return { expired, trimmed };
  }

  /** This partition's stats (owner, counters, ledgers, backlog per subscription). */
  async stats(owner: string): Promise<PartitionStats> {
    const subscriptions: Record<string, { backlog: number }> = {};
    for (const name of await this.subscriptionNames()) subscriptions[name] = { backlog: (await this.subscription(name)).backlogEntries() };
    return {
      partition: this.ref.partition,
      owner,
      msgIn: this.msgIn,
      bytesIn: this.bytesIn,
      ledgers: this.ml.ledgers.map((l) => ({ id: l.ledgerId, entries: l.entries ?? null, state: l.entries === undefined ? 'OPEN' : 'CLOSED', offloaded: l.offloaded ?? false })),
      subscriptions,
    };
  }

  /** Deletes everything of this partition: its ledgers (and objects), cursors, dedup state, list and ownership. */
  async deleteAll(): Promise<void> {
    await this.close();
    for (const l of this.ml.ledgers) await this.ml.deleteLedger(l.ledgerId);
    const { entries } = await this.deps.store.list(keys.cursors(this.ref));
    await this.deps.store.txn({
      compares: [{ key: this.epoch.key, createRevision: this.epoch.createRevision }],
      ops: [
        ...entries.map((e) => ({ type: 'delete' as const, key: e.key })),
        { type: 'delete', key: keys.dedup(this.ref) },
        { type: 'delete', key: keys.partition(this.ref) },
        { type: 'delete', key: keys.ownership(this.ref) },
      ],
    });
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions.values()) await (await sub.catch(() => undefined))?.close();
    await this.snapshotting;
    await saveDedupSnapshot(this.deps.store, this.ref, this.epoch, this.dedup).catch(() => undefined);
    await this.ml.close();
  }
}

function toInput(m: IncomingMessage): MessageInput {
  return { key: m.key, value: m.value, properties: m.properties, eventTime: m.eventTime };
}

/** Splits messages into runs that can share one batch: consecutive sequence ids, or none at all. */
function splitRuns(messages: IncomingMessage[]): Array<{ start: number; end: number }> {
  const runs: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (let i = 1; i <= messages.length; i++) {
    const prev = messages[i - 1]!;
    const cur = messages[i];
    const continues =
      cur !== undefined &&
      (prev.sequenceId === undefined ? cur.sequenceId === undefined : cur.sequenceId === prev.sequenceId + 1);
    if (!continues) {
      runs.push({ start, end: i });
      start = i;
    }
  }
  return runs;
}
