// A subscription consumed like a queue (HTTP receive/ack/nack): messages are handed out in log order,
// each stays invisible for its visibility timeout and is delivered again if not acked by then (or at
// once when nacked), with a redelivery count. Acks are answered only once persisted. The number of
// delivered-but-unacked messages is capped: at the cap, no new messages are handed out. The ack state is shared
// with the binary consumers of the same subscription; a message one of them holds is not handed out here
// meanwhile (it is set aside and handed out later if it comes back unacknowledged).
import { batchPayload, decodeMessageBatchHeader, decodeMessages, encodeMessageId, type MessagePosition } from '../../protocol/index.js';
import type { ManagedLedger, Position } from '../managed-ledger/index.js';
import type { ReceivedMessage } from '../http/broker-api.js';
import type { AckSet } from './ack-set.js';
import type { CursorStore } from './cursor-store.js';

interface Delivered {
  message: ReceivedMessage;
  position: MessagePosition;
  batchSize: number;
  deadline: number;
}

/** A position inside the log down to the message of a batch. */
interface ReadPosition {
  entry: Position;
  batchIndex: number;
}

const key = (p: MessagePosition) => `${p.ledgerId}:${p.entryId}:${p.batchIndex}`;

/** The binary consumers' side of the subscription, as the queue sees it. */
export interface OtherDelivery {
  holds(position: MessagePosition): boolean;
  acknowledgedElsewhere(): void;
}

export interface QueueSubscriptionOptions {
  /** Delivered-but-unacked messages at most; dispatch pauses at the cap. Default 10,000. */
  maxUnacked: number;
}

export class QueueSubscription {
  private readonly inFlight = new Map<string, Delivered>();
  private redeliver: Delivered[] = [];
  /** Messages read while a binary consumer held them: handed out once it lets go of them unacknowledged. */
  private setAside: Delivered[] = [];
  /** The binary consumers' dispatcher of this subscription, when one exists. */
  other: () => OtherDelivery | undefined = () => undefined;
  private readonly redeliveries = new Map<string, number>();
  private read: ReadPosition | undefined;
  lastActive = Date.now();
  /** Times dispatch was paused at the unacked cap (metric). */
  pausedAtCap = 0;

  constructor(
    readonly name: string,
    private readonly partitionIndex: number,
    private readonly ml: ManagedLedger,
    readonly acks: AckSet,
    private readonly cursor: CursorStore,
    private readonly options: QueueSubscriptionOptions,
  ) {}

  get unacked(): number {
    return this.inFlight.size;
  }

  /** Messages after the mark-delete position not acked yet (entries, an estimate for batches). */
  backlogEntries(): number {
    const md = this.acks.markDelete;
    let n = 0;
    for (const l of this.ml.ledgers) {
      const entries = l.entries ?? (this.ml.lastConfirmedPosition?.ledgerId === l.ledgerId ? this.ml.lastConfirmedPosition.entryId + 1 : 0);
      if (l.ledgerId > md.ledgerId) n += entries;
      else if (l.ledgerId === md.ledgerId) n += Math.max(0, entries - md.entryId - 1);
    }
    return n;
  }

  /** Takes run one at a time (they move the read position), so concurrent receivers get distinct messages. */
  private takes: Promise<unknown> = Promise.resolve();

  /** Hands out up to `max` messages now: expired and nacked ones first, then new ones in log order. */
  take(max: number, visibilityMs: number): Promise<ReceivedMessage[]> {
    const run = this.takes.then(() => this.takeNow(max, visibilityMs));
    this.takes = run.catch(() => undefined);
    return run;
  }

  private async takeNow(max: number, visibilityMs: number): Promise<ReceivedMessage[]> {
    this.lastActive = Date.now();
    const now = Date.now();
    for (const [k, d] of this.inFlight) {
      if (d.deadline <= now) {
        this.inFlight.delete(k);
        this.redeliver.push(d);
      }
    }
    const out: ReceivedMessage[] = [];
    const other = this.other();
    const waiting: Delivered[] = [];
    for (const d of this.setAside) {
      if (this.acks.isAcked(d.position)) continue;
      if (out.length >= max || this.inFlight.size >= this.options.maxUnacked || other?.holds(d.position)) waiting.push(d);
      else out.push(this.deliver(d.message, d.position, d.batchSize, visibilityMs));
    }
    this.setAside = waiting;
    while (out.length < max && this.redeliver.length > 0) {
      const d = this.redeliver.shift()!;
      if (this.acks.isAcked(d.position)) continue;
      if (other?.holds(d.position)) {
        this.setAside.push(d);
        continue;
      }
      const count = (this.redeliveries.get(key(d.position)) ?? 0) + 1;
      this.redeliveries.set(key(d.position), count);
      out.push(this.deliver({ ...d.message, redeliveryCount: count }, d.position, d.batchSize, visibilityMs));
    }
    if (out.length < max && this.inFlight.size >= this.options.maxUnacked) this.pausedAtCap++;
    while (out.length < max && this.inFlight.size < this.options.maxUnacked) {
      const start = this.read ?? { entry: this.nextAfterMarkDelete(), batchIndex: 0 };
      const entries = await this.ml.reader.read(start.entry, 16);
      if (entries.length === 0) break;
      let progressed = false;
      for (const { position, data } of entries) {
        if (position.ledgerId < start.entry.ledgerId || (position.ledgerId === start.entry.ledgerId && position.entryId < start.entry.entryId)) continue;
        const batch = decodeMessageBatchHeader(data);
        const messages = decodeMessages(batchPayload(batch), batch.messageCount);
        let i = position.ledgerId === start.entry.ledgerId && position.entryId === start.entry.entryId ? start.batchIndex : 0;
        for (; i < messages.length; i++) {
          if (out.length >= max || this.inFlight.size >= this.options.maxUnacked) break;
          const mp = { ledgerId: position.ledgerId, entryId: position.entryId, batchIndex: i };
          if (this.acks.isAcked(mp) || this.inFlight.has(key(mp))) continue;
          const m = messages[i]!;
          const message: ReceivedMessage = {
            id: encodeMessageId({ partition: this.partitionIndex, ...mp }),
            partition: this.partitionIndex,
            key: m.key ?? null,
            value: m.value,
            properties: { ...m.properties },
            publishTime: batch.publishTime,
            eventTime: m.eventTime || undefined,
            redeliveryCount: 0,
          };
          if (other?.holds(mp)) this.setAside.push({ message, position: mp, batchSize: messages.length, deadline: 0 });
          else out.push(this.deliver(message, mp, messages.length, visibilityMs));
        }
        progressed = true;
        if (i < messages.length) {
          this.read = { entry: position, batchIndex: i };
          return out;
        }
        this.read = { entry: this.ml.reader.next(position), batchIndex: 0 };
      }
      if (!progressed) break;
    }
    return out;
  }

  private nextAfterMarkDelete(): Position {
    const md = this.acks.markDelete;
    return md.entryId < 0 ? { ledgerId: md.ledgerId, entryId: 0 } : this.ml.reader.next(md);
  }

  private deliver(message: ReceivedMessage, position: MessagePosition, batchSize: number, visibilityMs: number): ReceivedMessage {
    this.inFlight.set(key(position), { message, position, batchSize, deadline: Date.now() + visibilityMs });
    return message;
  }

  /** Whether an HTTP receiver holds the message now (within its visibility timeout). */
  holds(position: MessagePosition): boolean {
    const d = this.inFlight.get(key(position));
    return d !== undefined && d.deadline > Date.now();
  }

  /** The earliest visibility deadline of what is in flight (for long polls to wake on). */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const d of this.inFlight.values()) if (min === undefined || d.deadline < min) min = d.deadline;
    return min;
  }

  /** Acks messages (batch size from delivery, else read from the log); resolves once persisted. */
  async ack(positions: MessagePosition[]): Promise<number> {
    this.lastActive = Date.now();
    let n = 0;
    for (const p of positions) {
      const d = this.inFlight.get(key(p));
      const batchSize = d?.batchSize ?? (await this.batchSizeAt(p));
      if (batchSize === undefined || p.batchIndex >= batchSize) continue;
      if (this.acks.ack(p, batchSize)) n++;
      this.inFlight.delete(key(p));
      this.redeliveries.delete(key(p));
    }
    this.redeliver = this.redeliver.filter((d) => !this.acks.isAcked(d.position));
    this.other()?.acknowledgedElsewhere();
    await this.cursor.persist();
    return n;
  }

  /** Persists the ack state after another dispatcher (binary consumers) changed it; resolves once durable. */
  persistAcks(): Promise<void> {
    this.lastActive = Date.now();
    return this.cursor.persist();
  }

  /** Makes messages visible again at once; returns how many were in flight. */
  nack(positions: MessagePosition[]): number {
    this.lastActive = Date.now();
    let n = 0;
    for (const p of positions) {
      const d = this.inFlight.get(key(p));
      if (!d) continue;
      this.inFlight.delete(key(p));
      this.redeliver.push(d);
      n++;
    }
    return n;
  }

  private async batchSizeAt(p: MessagePosition): Promise<number | undefined> {
    const [entry] = await this.ml.reader.read({ ledgerId: p.ledgerId, entryId: p.entryId }, 1);
    if (!entry || entry.position.ledgerId !== p.ledgerId || entry.position.entryId !== p.entryId) return undefined;
    return decodeMessageBatchHeader(entry.data).messageCount;
  }

  /** Finishes persisting and closes the cursor ledger, if any. */
  async close(): Promise<void> {
    await this.cursor.close();
  }

  /** Removes the subscription's persisted state (expiry). */
  async delete(): Promise<void> {
    await this.cursor.delete();
  }

  /** Forgets what was handed out (the log was re-read from the mark-delete position, e.g. after a load). */
  rewind(): void {
    this.read = undefined;
    this.inFlight.clear();
    this.redeliver = [];
    this.setAside = [];
  }
}
