// One partition this broker owns: its log, deduplication, subscriptions and counters. Loading it
// recovers the log and rebuilds the dedup state before anything is served.
import { checkMessageFraming, CompressionCodec, SUPPORTED_CODECS, decodeMessageBatchHeader, payloadFormatProblem, encodeMessageBatch, encodeMessageId, MalformedBatchError, UnsupportedBatchFormatError, type MessageInput, type MessagePosition } from '../../protocol/index.js';
import type { Logger } from '../../common/index.js';
import type { LedgerClient } from '../../ledger/index.js';
import { keys, type MetadataStore, type PartitionRef } from '../../metadata/index.js';
import { InvalidRequestError, NotSupportedError, PartitionBusyError } from '../errors.js';
import type { IncomingMessage, PartitionStats, ProduceResult } from '../http/broker-api.js';
import { DEFAULT_MANAGED_LEDGER_CONFIG, ManagedLedger, type ClosedLedgerOpener, type ManagedLedgerConfig, type OwnerEpoch, type Position } from '../managed-ledger/index.js';
import type { DedupState } from '../dedup/dedup-state.js';
import { loadDedupState, saveDedupSnapshot } from '../dedup/dedup-loader.js';
import { AckSet } from '../subscriptions/ack-set.js';
import { ledgerOrderOf } from '../subscriptions/ledger-order.js';
import { CursorStore } from '../subscriptions/cursor-store.js';
import { QueueSubscription } from '../subscriptions/queue-subscription.js';
import { ProduceBatcher } from './produce-batcher.js';
import { StreamDispatcher } from '../subscriptions/stream-dispatcher.js';
import { SharedDispatcher } from '../subscriptions/shared-dispatcher.js';
import type { ConsumerSink, Dispatcher, SubscriptionType } from '../subscriptions/dispatcher.js';
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

/** Where a partition went when it moved (told to its binary clients in TOPIC_MOVED). */
export interface MovedTo {
  brokerId: string;
  binaryUrl: string;
}

export interface PartitionDeps {
  store: MetadataStore;
  ledgers: LedgerClient;
  log: Logger;
  openClosedLedger?: ClosedLedgerOpener;
  deleteLedger?: (ledgerId: number) => Promise<void>;
  /** Counts a dispatch that stopped at a subscription's bound (metric). */
  dispatchPaused?: () => void;
}

export class Partition {
  private readonly subscriptions = new Map<string, Promise<QueueSubscription>>();
  private readonly batcher: ProduceBatcher;
  msgIn = 0;
  bytesIn = 0;
  private entriesSinceSnapshot = 0;
  private snapshotting: Promise<void> | undefined;
  /** The write in flight per producer name, so a resend of it waits for its outcome instead of failing. */
  private readonly writes = new Map<string, Promise<unknown>>();
  /** Producer names connected over the binary protocol, each held by one connection. */
  private readonly producerNames = new Map<string, object>();
  private readonly streams = new Map<string, Dispatcher>();
  private readonly goneListeners = new Set<(movedTo: MovedTo | undefined) => void>();
  private gone = false;
  private movedTo: MovedTo | undefined;

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
    const entry = Buffer.concat(encodeMessageBatch({ producerName: producer, firstSequenceId: first, publishTime: Date.now() }, messages.map(toInput)));
    const stored = await this.storeBatch(producer, first, messages.length, entry);
    return messages.map((_, i) => {
      const id = stored.position ? this.idOf({ ...stored.position, batchIndex: stored.position.batchIndex + i }) : null;
      return stored.duplicate ? { partition: this.ref.partition, id, duplicate: true as const } : { partition: this.ref.partition, id };
    });
  }

  /**
   * Stores one batch of a named producer's messages with sequence ids first … first+count−1 as one entry, byte for
   * byte, unless deduplication knows them: then nothing is written and `duplicate` is set. `position` is where
   * message `first` is (unknown for an old duplicate). Resolves only once durable.
   */
  async storeBatch(producer: string, first: number, count: number, entry: Buffer): Promise<{ duplicate: boolean; position?: MessagePosition }> {
    const last = first + count - 1;
    let verdict = this.dedup.check(producer, first, last);
    if (verdict.status === 'in-flight') {
      // A resend of a batch being written: its outcome decides.
      await this.writes.get(producer)?.catch(() => undefined);
      verdict = this.dedup.check(producer, first, last);
    }
    if (verdict.status === 'duplicate') return { duplicate: true, position: verdict.position };
    if (verdict.status === 'in-flight') throw new PartitionBusyError(`producer ${producer}: sequence ids ${first}..${last} are being stored; retry`);
    if (verdict.status === 'overlap') {
      throw new InvalidRequestError(`producer ${producer}: sequence ids ${first}..${last} overlap what is stored (last ${this.dedup.lastSequenceId(producer)}); resend batches unchanged`);
    }
    this.dedup.markPending(producer, last);
    const write = this.ml.append(entry);
    this.writes.set(producer, write);
    let position: Position;
    try {
      position = await write;
    } catch (err) {
      this.dedup.discardPending();
      throw err;
    } finally {
      if (this.writes.get(producer) === write) this.writes.delete(producer);
    }
    this.dedup.record(producer, last, { ...position, batchIndex: count - 1 });
    this.count(entry.length, count);
    return { duplicate: false, position: { ...position, batchIndex: 0 } };
  }

  /**
   * Stores a batch received over the binary protocol as it is. Its header must be readable, name `producer` and
   * carry sequence ids; anything else is an InvalidRequestError and nothing is written.
   */
  async storeProducerBatch(producer: string, entry: Buffer): Promise<{ duplicate: boolean; position?: MessagePosition; messages: number }> {
    let header;
    try {
      header = decodeMessageBatchHeader(entry);
    } catch (err) {
      if (err instanceof MalformedBatchError || err instanceof UnsupportedBatchFormatError) throw new InvalidRequestError(`unreadable message batch: ${err.message}`);
      throw err;
    }
    if (!SUPPORTED_CODECS.includes(header.compression)) throw new NotSupportedError(`compression codec ${header.compression} is not supported by this broker (none, lz4)`);
    const formatProblem = payloadFormatProblem(header);
    if (formatProblem !== undefined) throw new InvalidRequestError(formatProblem);
    if (header.compression !== CompressionCodec.NONE && !header.keyHashTable) throw new InvalidRequestError('a compressed batch must carry its key hashes (flag KEY_HASHES)');
    if (header.compression === CompressionCodec.NONE) {
      try {
        checkMessageFraming(header);
      } catch (err) {
        if (err instanceof MalformedBatchError) throw new InvalidRequestError(`unreadable message batch: ${err.message}`);
        throw err;
      }
    }
    if (header.producerName !== producer) throw new InvalidRequestError(`the batch names producer ${JSON.stringify(header.producerName)}, the connection's producer is ${JSON.stringify(producer)}`);
    if (header.firstSequenceId < 0) throw new InvalidRequestError('a producer batch must carry sequence ids');
    return { ...(await this.storeBatch(producer, header.firstSequenceId, header.messageCount, entry)), messages: header.messageCount };
  }

  /** The highest sequence id of `producer` stored here, −1 if none. */
  lastSequenceId(producer: string): number {
    return this.dedup.lastSequenceId(producer);
  }

  /** Takes a producer name for one connection (`holder`); false if another connection holds it. */
  claimProducerName(name: string, holder: object): boolean {
    const current = this.producerNames.get(name);
    if (current !== undefined && current !== holder) return false;
    this.producerNames.set(name, holder);
    return true;
  }

  releaseProducerName(name: string, holder: object): void {
    if (this.producerNames.get(name) === holder) this.producerNames.delete(name);
  }

  /** Attaches a binary consumer to a durable subscription (created at `initial` on first use). */
  async attachConsumer(sink: ConsumerSink, subscription: string, type: SubscriptionType, initial: 'earliest' | 'latest'): Promise<{ dispatcher: Dispatcher; active: boolean }> {
    const sub = await this.subscription(subscription, initial);
    let dispatcher = this.streams.get(subscription);
    const shared = (t: SubscriptionType): boolean => t === 'shared' || t === 'key_shared';
    // An idle dispatcher of another kind gives way (what it held went back when its consumers left).
    if (dispatcher && dispatcher.consumerCount === 0 && (shared(type) || shared(dispatcher.type)) && dispatcher.type !== type) {
      dispatcher.close();
      dispatcher = undefined;
    }
    if (!dispatcher) {
      const persist = (): Promise<void> => sub.persistAcks();
      dispatcher =
        type === 'shared' || type === 'key_shared'
          ? new SharedDispatcher(type, this.ml, sub.acks, { persist, heldElsewhere: (p) => sub.holds(p), onPaused: this.deps.dispatchPaused, log: this.deps.log })
          : new StreamDispatcher(type, this.ml, sub.acks, { type, persist, log: this.deps.log });
      this.streams.set(subscription, dispatcher);
      sub.other = () => this.streams.get(subscription);
    }
    sub.lastActive = Date.now();
    return { dispatcher, active: dispatcher.attach(sink, type) };
  }

  /** A reader: a non-durable cursor from `start` (inclusive), or from the earliest or the latest message. */
  openReader(sink: ConsumerSink, start: MessagePosition | 'earliest' | 'latest'): Dispatcher {
    const order = ledgerOrderOf(() => this.ml.ledgers);
    let markDelete: Position;
    if (start === 'earliest') markDelete = { ledgerId: 0, entryId: -1 };
    else if (start === 'latest') markDelete = this.latestMarkDelete();
    else markDelete = { ledgerId: start.ledgerId, entryId: start.entryId - 1 };
    const dispatcher = new StreamDispatcher('exclusive', this.ml, new AckSet(order, markDelete), {
      type: 'exclusive',
      startInside: typeof start === 'object' ? start : undefined,
      log: this.deps.log,
    });
    dispatcher.attach(sink, 'exclusive');
    return dispatcher;
  }

  /** The mark-delete position of a cursor that starts after everything stored now (a 'latest' start). */
  private latestMarkDelete(): Position {
    return this.ml.lastConfirmedPosition ?? { ledgerId: this.ml.ledgers.at(-1)?.ledgerId ?? 0, entryId: -1 };
  }

  /** Deletes a subscription that has no consumer attached but `sink`'s. */
  async unsubscribe(subscription: string, sink: ConsumerSink): Promise<void> {
    const dispatcher = this.streams.get(subscription);
    if (dispatcher && dispatcher.consumerCount > 1) throw new InvalidRequestError(`subscription ${subscription} has ${dispatcher.consumerCount - 1} other consumers`);
    dispatcher?.detach(sink);
    dispatcher?.close();
    this.streams.delete(subscription);
    const sub = await this.subscription(subscription);
    await sub.delete();
    this.subscriptions.delete(subscription);
  }

  /** Called once when this partition stops being served here (moved, lost, deleted or the broker stops); `movedTo` after a move. */
  onGone(listener: (movedTo: MovedTo | undefined) => void): () => void {
    if (this.gone) {
      listener(this.movedTo);
      return () => undefined;
    }
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /** This partition is no longer served here: stop dispatching and tell every attached client (where it went, if known). */
  markGone(movedTo?: MovedTo): void {
    if (this.gone) return;
    this.gone = true;
    this.movedTo = movedTo;
    for (const d of this.streams.values()) d.close();
    for (const listener of [...this.goneListeners]) listener(movedTo);
    this.goneListeners.clear();
  }

  private idOf(p: MessagePosition): string {
    return encodeMessageId({ partition: this.ref.partition, ...p });
  }

  /** The subscription, created at the earliest message (or the latest) on first use. */
  subscription(name: string, initial: 'earliest' | 'latest' = 'earliest'): Promise<QueueSubscription> {
    let sub = this.subscriptions.get(name);
    if (!sub) {
      sub = this.openSubscription(name, initial);
      this.subscriptions.set(name, sub);
      sub.catch(() => this.subscriptions.delete(name));
    }
    return sub;
  }

  private async openSubscription(name: string, initial: 'earliest' | 'latest'): Promise<QueueSubscription> {
    const order = ledgerOrderOf(() => this.ml.ledgers);
    const stored = await CursorStore.load(this.deps.store, this.deps.ledgers, this.ref, name);
    const start = initial === 'latest' ? this.latestMarkDelete() : { ledgerId: 0, entryId: -1 };
    const acks = stored ? AckSet.deserialize(order, stored.state) : new AckSet(order, start);
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

  /** Deletes everything of this partition: its ledgers (and objects), cursors, dedup state, list, assignment and ownership. */
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
        { type: 'delete', key: keys.assignment(this.ref) },
        { type: 'delete', key: keys.ownership(this.ref) },
      ],
    });
  }

  async close(): Promise<void> {
    this.markGone();
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
