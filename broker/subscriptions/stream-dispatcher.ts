// Push delivery of one subscription of one partition to binary-protocol consumers of the exclusive and failover
// types: one active consumer receives entries in log order as its permits allow; the others wait. The
// acknowledgement state (AckSet) is the subscription's own, shared with the HTTP queue of the same name.
import { decodeMessageBatchHeader, type MessagePosition } from '../../protocol/index.js';
import type { Logger } from '../../common/index.js';
import { comparePositions, type LogEntry, type ManagedLedger, type Position } from '../managed-ledger/index.js';
import type { AckSet } from './ack-set.js';
import { DispatchPump } from './dispatch-pump.js';
import { ConsumerBusyError } from './errors.js';
import { popcount, positionKey as key, type ConsumerSink, type Dispatcher, type SubscriptionType } from './dispatcher.js';

export type StreamType = 'exclusive' | 'failover';

interface Attached {
  sink: ConsumerSink;
  permits: number;
}

export interface StreamDispatcherOptions {
  type: StreamType;
  /** Persists the ack state (durable subscriptions); a reader's dispatcher has none. */
  persist?: () => Promise<void>;
  /** Messages of this entry before this batch index are skipped (a reader starting inside a batch). */
  startInside?: MessagePosition;
  log: Logger;
}

const ENTRIES_PER_READ = 64;
const READ_AHEAD_BYTES = 1024 * 1024;
const TAIL_WAIT_MS = 5_000;

/**
 * Contracts:
 * - Entries reach the active consumer in log order; an entry is pushed while the consumer has permits left (a
 *   batch may take the permits below zero once; permits count messages).
 * - When the active consumer leaves (or another becomes active), everything delivered and not acknowledged is
 *   delivered again from the mark-delete position, with its redelivery count raised; acknowledged messages are
 *   skipped (whole entries) or named in `ackedIndexes` (inside a batch).
 * - An ack is answered only after `persist` resolved (durable subscriptions).
 * - Failover: the first consumer to attach is active; when it leaves, the next active is the first by name.
 * - Redelivery counts live as long as the dispatcher, which lives as long as the partition is served here: a
 *   consumer that reconnects sees the count of what it was sent before raised by one.
 */
export class StreamDispatcher implements Dispatcher {
  private readonly consumers: Attached[] = [];
  private active: Attached | undefined;
  private readPos: Position | undefined;
  /**
   * Entries read from readPos on but not pushed yet (the consumer ran out of permits): the next dispatch starts
   * with them instead of reading them again. Bounded by one read (READ_AHEAD_BYTES or ENTRIES_PER_READ).
   */
  private readAhead: LogEntry[] = [];
  private redeliver: Position[] = [];
  private readonly delivered = new Map<string, Position>();
  private readonly counts = new Map<string, number>();
  private generation = 0;
  private readonly pumpLoop: DispatchPump;
  private closed = false;

  constructor(
    private current: StreamType,
    private readonly ml: ManagedLedger,
    readonly acks: AckSet,
    private readonly options: StreamDispatcherOptions,
  ) {
    this.pumpLoop = new DispatchPump(() => this.dispatch(), options.log);
  }

  get type(): StreamType {
    return this.current;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  /** Attaches a consumer; returns whether it is active. ConsumerBusyError if the type forbids it. */
  attach(sink: ConsumerSink, type: SubscriptionType): boolean {
    if (this.closed) throw new ConsumerBusyError('the subscription is closing');
    if (type !== 'exclusive' && type !== 'failover') throw new ConsumerBusyError(`the subscription is ${this.current}, not ${type}`);
    if (this.consumers.length > 0 && (type !== this.current || type === 'exclusive')) {
      throw new ConsumerBusyError(this.current === 'exclusive' ? 'the exclusive subscription already has a consumer' : `the subscription is ${this.current}, not ${type}`);
    }
    if (this.consumers.length === 0) this.current = type;
    const c: Attached = { sink, permits: 0 };
    this.consumers.push(c);
    if (this.active === undefined) this.activate(c);
    return this.active === c;
  }

  /** Detaches a consumer; if it was active, the next one takes over from the mark-delete position. */
  detach(sink: ConsumerSink): void {
    const i = this.consumers.findIndex((c) => c.sink === sink);
    if (i < 0) return;
    const [c] = this.consumers.splice(i, 1);
    if (this.active !== c) return;
    this.active = undefined;
    this.rewind();
    const next = [...this.consumers].sort((a, b) => (a.sink.name < b.sink.name ? -1 : a.sink.name > b.sink.name ? 1 : 0))[0];
    if (next) {
      this.activate(next);
      next.sink.activeChanged(true);
    }
  }

  /** Grants permits to a consumer (messages it can take). */
  flow(sink: ConsumerSink, permits: number): void {
    const c = this.consumers.find((x) => x.sink === sink);
    if (!c) return;
    c.permits = Math.min(c.permits + permits, 0x7fffffff);
    this.pump();
  }

  /** The connection of a consumer can take more again. */
  resume(): void {
    this.pump();
  }

  /** Acks messages (each with its batch size); resolves with how many were new, once persisted. */
  async ack(_sink: ConsumerSink, positions: ReadonlyArray<MessagePosition & { batchSize: number }>, cumulative: boolean): Promise<number> {
    let n = 0;
    for (const p of positions) {
      if (cumulative ? this.acks.ackCumulative(p, p.batchSize) : this.acks.ack(p, p.batchSize)) n++;
    }
    if (cumulative) this.forgetAcked();
    else for (const p of positions) this.forgetIfAcked(key(p), p);
    await this.options.persist?.();
    return n;
  }

  /** An individual ack touches only its own entries; a cumulative one (or one by another path) may cover any. */
  private forgetAcked(): void {
    for (const [k, pos] of this.delivered) this.forgetIfAcked(k, pos);
  }

  private forgetIfAcked(k: string, pos: Position): void {
    if (this.delivered.has(k) && this.acks.entryAcks(pos.ledgerId, pos.entryId) === 'all') {
      this.delivered.delete(k);
      this.counts.delete(k);
    }
  }

  holds(position: MessagePosition): boolean {
    return this.delivered.has(key(position)) && !this.acks.isAcked(position);
  }

  acknowledgedElsewhere(): void {
    this.forgetAcked();
  }

  /** Delivers the named entries again (all delivered and unacknowledged ones when none are named). */
  nack(_sink: ConsumerSink, positions: readonly Position[]): number {
    const wanted = positions.length === 0 ? [...this.delivered.values()] : positions.filter((p) => this.delivered.has(key(p)));
    for (const p of wanted) {
      const k = key(p);
      this.delivered.delete(k);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
      if (!this.redeliver.some((r) => r.ledgerId === p.ledgerId && r.entryId === p.entryId)) this.redeliver.push({ ledgerId: p.ledgerId, entryId: p.entryId });
    }
    this.redeliver.sort(comparePositions);
    this.pump();
    return wanted.length;
  }

  /**
   * Moves the subscription so that `target` is the next message: everything before it counts as acknowledged,
   * everything from it on as not (acks after it are forgotten). Pushing stops (every consumer's permits drop to
   * 0) until the next FLOW, so nothing from before the seek and nothing after it cross on the wire.
   * `batchSize` is the message count of the target's entry (its earlier messages are acknowledged).
   */
  async seek(target: MessagePosition, batchSize: number): Promise<void> {
    this.acks.seekTo(target, batchSize);
    for (const c of this.consumers) c.permits = 0;
    this.rewind();
    this.counts.clear();
    await this.options.persist?.();
  }

  /** Stops dispatching (the partition closes or moves). */
  close(): void {
    this.closed = true;
    this.pumpLoop.close();
  }

  private activate(c: Attached): void {
    this.active = c;
    this.generation++;
    this.pump();
  }

  /** Forget what was delivered: the next active consumer reads again from the mark-delete position. */
  private rewind(): void {
    for (const k of this.delivered.keys()) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.delivered.clear();
    this.redeliver = [];
    this.readPos = undefined;
    this.readAhead = [];
    this.generation++;
  }

  private pump(): void {
    this.pumpLoop.kick();
  }

  /**
   * The dispatch loop. It tells the pump it stopped synchronously where it stops (not in a continuation of its promise),
   * so a FLOW handled in the same tick finds it stopped and starts it again.
   */
  private async dispatch(): Promise<void> {
    for (;;) {
      const c = this.active;
      if (this.closed || !c || c.permits <= 0 || !c.sink.writable) {
        this.pumpLoop.stopped();
        return;
      }
      const generation = this.generation;
      const redelivery = this.redeliver.shift();
      let entries: LogEntry[];
      // The tail before reading: an entry confirmed while the read is under way ends the wait below at once.
      const tail = this.ml.lastConfirmedPosition;
      if (!redelivery && this.readAhead.length > 0) {
        entries = this.readAhead;
        this.readAhead = [];
      } else {
        const from = redelivery ?? this.readPos ?? this.afterMarkDelete();
        entries = await this.ml.reader.read(from, redelivery ? 1 : ENTRIES_PER_READ, READ_AHEAD_BYTES);
        if (generation !== this.generation || this.closed) continue;
      }
      if (entries.length === 0) {
        if (redelivery) continue;
        await this.pumpLoop.idle(this.ml.waitForEntries(tail, TAIL_WAIT_MS));
        continue;
      }
      for (let i = 0; i < entries.length; i++) {
        const { position, data } = entries[i]!;
        if (redelivery && comparePositions(position, redelivery) !== 0) break;
        if (!redelivery) this.readPos = this.ml.reader.next(position);
        const acked = this.acks.entryAcks(position.ledgerId, position.entryId);
        if (acked === 'all') continue;
        const messageCount = decodeMessageBatchHeader(data).messageCount;
        const ackedIndexes = this.withStartSkip(position, acked === 'none' ? undefined : acked, messageCount);
        const k = key(position);
        this.delivered.set(k, position);
        const messages = messageCount - (ackedIndexes ? popcount(ackedIndexes) : 0);
        c.sink.push({ position, data, redeliveryCount: this.counts.get(k) ?? 0, ackedIndexes }, messages);
        c.permits -= messages;
        if (c.permits <= 0 || !c.sink.writable) {
          if (!redelivery) this.readAhead = entries.slice(i + 1);
          break;
        }
      }
    }
  }

  private afterMarkDelete(): Position {
    const md = this.acks.markDelete;
    return md.entryId < 0 ? { ledgerId: md.ledgerId, entryId: 0 } : this.ml.reader.next(md);
  }

  private withStartSkip(position: Position, acked: Uint8Array | undefined, messageCount: number): Uint8Array | undefined {
    const start = this.options.startInside;
    if (!start || start.batchIndex === 0 || comparePositions(position, start) !== 0) return acked;
    const bits = acked ?? new Uint8Array(Math.ceil(messageCount / 8));
    for (let i = 0; i < Math.min(start.batchIndex, messageCount); i++) bits[i >> 3] |= 1 << (i & 7);
    return bits;
  }
}
