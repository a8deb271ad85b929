// Push delivery of one subscription of one partition to the binary consumers of a shared or key_shared
// subscription. Messages are handed out per message (an entry's messages may go to different consumers: each
// gets the entry with the others' indexes in `ackedIndexes`), acknowledged per message, and delivered again
// after a nack, an ack timeout (a nack from the client) or the loss of the consumer holding them.
//
// Key_shared: each key hash belongs to one consumer by consistent hashing (HashRing). A key that moved (a
// consumer joined or left) is *draining* while its old consumer still holds messages of it: only that key waits
// until they are acknowledged or given back; every other key keeps flowing. Messages that cannot go now (their
// consumer has no permits, or their key drains) are *parked* — positions and their key hashes, not data — and
// later messages of a parked key are parked behind them, so a key's messages go out in log order. Parking is
// bounded (`maxParkedEntries`); at the bound no new entries are read until parked ones go out.
import { decodeMessageBatchHeader, keyHash, messageKeyHashes, type MessagePosition } from '../../protocol/index.js';
import type { Logger } from '../../common/index.js';
import { comparePositions, type LogEntry, type Position } from '../managed-ledger/index.js';
import type { AckSet } from './ack-set.js';
import { DispatchPump } from './dispatch-pump.js';
import { ConsumerBusyError, InvalidAckError } from './errors.js';
import { HashRing } from './hash-ring.js';
import { positionKey, type ConsumerSink, type Dispatcher, type DispatchLog, type SubscriptionType } from './dispatcher.js';

export type SharedType = 'shared' | 'key_shared';

export interface SharedDispatcherOptions {
  /** Persists the ack state; an ack is answered only after it resolved. */
  persist: () => Promise<void>;
  /** Whether another path (the HTTP queue of the subscription) holds a message now: it is not pushed meanwhile. */
  heldElsewhere?: (position: MessagePosition) => boolean;
  /** Entries parked at most before reading stops (key_shared lookahead). Default 10,000. */
  maxParkedEntries?: number;
  /** Called when reading stops at the parking bound (metric). */
  onPaused?: () => void;
  log: Logger;
}

interface Member {
  sink: ConsumerSink;
  permits: number;
  /** Keys (positionKey) of the in-flight entries this consumer holds messages of. */
  readonly held: Set<string>;
}

/** An entry some of whose messages consumers hold unacknowledged. */
interface InFlight {
  position: Position;
  hashes: Uint32Array | undefined;
  /** Per batch index, the consumer holding that message. */
  holder: Array<Member | undefined>;
  holding: number;
}

/** An entry with messages still to hand out, behind the read position. */
interface Parked {
  position: Position;
  /** key_shared: the keys of its messages not handed out yet; undefined = read the entry to know. */
  hashes: number[] | undefined;
}

interface Offer {
  delivered: number;
  /** Messages are left to hand out later. */
  pending: boolean;
  pendingHashes: number[];
}

const ENTRIES_PER_READ = 64;
const READ_AHEAD_BYTES = 1024 * 1024;
const TAIL_WAIT_MS = 5_000;
/** Held elsewhere (HTTP visibility timeouts) is re-checked at least this often. */
const ELSEWHERE_RECHECK_MS = 1_000;
const DEFAULT_MAX_PARKED = 10_000;

/**
 * Contracts:
 * - A message is held by at most one consumer at a time; an acknowledged message is never pushed again.
 * - key_shared: a key's messages are held by one consumer at a time, and each consumer receives a key's messages
 *   in log order (a redelivery comes again before later messages of its key that were not handed out yet).
 * - An ack is answered only after `persist` resolved. Cumulative acks are refused (InvalidAckError).
 * - Redelivery counts (per entry) live as long as the dispatcher.
 */
export class SharedDispatcher implements Dispatcher {
  private readonly members: Member[] = [];
  private readonly ring = new HashRing<Member>();
  private attachSeq = 0;
  private roundRobin = 0;
  private readonly inFlight = new Map<string, InFlight>();
  /** key_shared: per key hash, the consumer holding messages of it and how many. */
  private readonly hashHolders = new Map<number, { member: Member; count: number }>();
  private readonly parked = new Map<string, Parked>();
  /** Parked positions in log order. */
  private parkedOrder: Position[] = [];
  private readonly counts = new Map<string, number>();
  private readPos: Position | undefined;
  private readAhead: LogEntry[] = [];
  private generation = 0;
  private readonly pumpLoop: DispatchPump;
  private closed = false;
  private recheck: NodeJS.Timeout | undefined;
  /** Times reading stopped at the parking bound (metric). */
  pausedAtParkingBound = 0;

  constructor(
    readonly type: SharedType,
    private readonly ml: DispatchLog,
    readonly acks: AckSet,
    private readonly options: SharedDispatcherOptions,
  ) {
    this.pumpLoop = new DispatchPump(() => this.dispatch(), options.log);
  }

  get consumerCount(): number {
    return this.members.length;
  }

  get parkedEntries(): number {
    return this.parkedOrder.length;
  }

  attach(sink: ConsumerSink, type: SubscriptionType): boolean {
    if (this.closed) throw new ConsumerBusyError('the subscription is closing');
    if (type !== this.type) throw new ConsumerBusyError(`the subscription is ${this.type}, not ${type}`);
    const m: Member = { sink, permits: 0, held: new Set() };
    this.members.push(m);
    if (this.type === 'key_shared') this.ring.add(m, `${sink.name}/${++this.attachSeq}`);
    return true;
  }

  detach(sink: ConsumerSink): void {
    const i = this.members.findIndex((m) => m.sink === sink);
    if (i < 0) return;
    const [m] = this.members.splice(i, 1);
    this.ring.remove(m!);
    this.giveBack(m!, [...m!.held]);
    this.pump();
  }

  flow(sink: ConsumerSink, permits: number): void {
    const m = this.member(sink);
    if (!m) return;
    m.permits = Math.min(m.permits + permits, 0x7fffffff);
    this.pump();
  }

  resume(): void {
    this.pump();
  }

  async ack(_sink: ConsumerSink, positions: ReadonlyArray<MessagePosition & { batchSize: number }>, cumulative: boolean): Promise<number> {
    if (cumulative) throw new InvalidAckError(`cumulative acknowledgement is not allowed on a ${this.type} subscription; acknowledge each message`);
    let n = 0;
    for (const p of positions) {
      if (this.acks.ack(p, p.batchSize)) n++;
      const k = positionKey(p);
      const rec = this.inFlight.get(k);
      if (rec) this.release(k, rec, p.batchIndex);
      if (this.acks.entryAcks(p.ledgerId, p.entryId) === 'all') this.counts.delete(k);
    }
    await this.options.persist();
    this.pump();
    return n;
  }

  nack(sink: ConsumerSink, positions: readonly Position[]): number {
    const m = this.member(sink);
    if (!m) return 0;
    const keys = positions.length === 0 ? [...m.held] : positions.map(positionKey).filter((k) => m.held.has(k));
    this.giveBack(m, keys);
    this.pump();
    return keys.length;
  }

  async seek(target: MessagePosition, batchSize: number): Promise<void> {
    this.acks.seekTo(target, batchSize);
    for (const m of this.members) {
      m.permits = 0;
      m.held.clear();
    }
    this.inFlight.clear();
    this.hashHolders.clear();
    this.parked.clear();
    this.parkedOrder = [];
    this.counts.clear();
    this.readPos = undefined;
    this.readAhead = [];
    this.generation++;
    await this.options.persist();
  }

  holds(position: MessagePosition): boolean {
    return this.inFlight.get(positionKey(position))?.holder[position.batchIndex] !== undefined;
  }

  acknowledgedElsewhere(): void {
    for (const [k, rec] of this.inFlight) {
      const acked = this.acks.entryAcks(rec.position.ledgerId, rec.position.entryId);
      if (acked === 'none') continue;
      for (let i = 0; i < rec.holder.length; i++) if (acked === 'all' || isSet(acked, i)) this.release(k, rec, i);
    }
    this.pump();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.recheck);
    this.pumpLoop.close();
  }

  private member(sink: ConsumerSink): Member | undefined {
    return this.members.find((m) => m.sink === sink);
  }

  /** The consumer no longer holds its messages of these entries: they are parked to go out again. */
  private giveBack(m: Member, keys: readonly string[]): void {
    for (const k of keys) {
      const rec = this.inFlight.get(k);
      m.held.delete(k);
      if (!rec) continue;
      for (let i = 0; i < rec.holder.length; i++) if (rec.holder[i] === m) this.release(k, rec, i);
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
      this.park(rec.position, undefined);
    }
  }

  private release(k: string, rec: InFlight, index: number): void {
    const m = rec.holder[index];
    if (m === undefined) return;
    rec.holder[index] = undefined;
    rec.holding--;
    if (rec.hashes) {
      const h = rec.hashes[index]!;
      const holder = this.hashHolders.get(h);
      if (holder && --holder.count === 0) this.hashHolders.delete(h);
    }
    if (!rec.holder.includes(m)) m.held.delete(k);
    if (rec.holding === 0) this.inFlight.delete(k);
  }

  private park(position: Position, hashes: number[] | undefined): void {
    const k = positionKey(position);
    const existing = this.parked.get(k);
    if (existing) {
      existing.hashes = existing.hashes && hashes ? [...new Set([...existing.hashes, ...hashes])] : undefined;
      return;
    }
    this.parked.set(k, { position, hashes });
    let lo = 0;
    let hi = this.parkedOrder.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositions(this.parkedOrder[mid]!, position) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.parkedOrder.splice(lo, 0, position);
  }

  private unpark(position: Position): void {
    if (!this.parked.delete(positionKey(position))) return;
    const i = this.parkedOrder.findIndex((p) => comparePositions(p, position) === 0);
    if (i >= 0) this.parkedOrder.splice(i, 1);
  }

  private canTake(m: Member | undefined, taking = 0): m is Member {
    return m !== undefined && m.permits - taking > 0 && m.sink.writable;
  }

  private anyCanTake(): boolean {
    return this.members.some((m) => this.canTake(m));
  }

  private pump(): void {
    this.pumpLoop.kick();
  }

  /** Re-runs dispatch later when messages wait only for another path to let go of them. */
  private recheckLater(): void {
    if (this.recheck || this.closed) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.pump();
    }, ELSEWHERE_RECHECK_MS);
    this.recheck.unref();
  }

  /**
   * The dispatch loop: each round offers the parked entries in log order, then new entries from the read
   * position. It tells the pump it stopped synchronously where it stops, so an event handled in the same tick restarts it.
   */
  private async dispatch(): Promise<void> {
    for (;;) {
      if (this.closed || !this.anyCanTake()) {
        this.pumpLoop.stopped();
        return;
      }
      const generation = this.generation;
      /** key_shared: keys with a message parked earlier in log order this round (later ones must wait too). */
      const blocked = new Set<number>();
      let progressed = false;
      let restart = false;
      for (const position of [...this.parkedOrder]) {
        if (!this.anyCanTake()) break;
        const parked = this.parked.get(positionKey(position));
        if (!parked) continue;
        if (parked.hashes && !parked.hashes.some((h) => this.mayDeliver(h, blocked))) {
          for (const h of parked.hashes) blocked.add(h);
          continue;
        }
        const [entry] = await this.ml.reader.read(position, 1);
        if (generation !== this.generation || this.closed) {
          restart = true;
          break;
        }
        if (!entry || comparePositions(entry.position, position) !== 0) {
          this.unpark(position); // trimmed by retention meanwhile
          continue;
        }
        const offer = this.offer(entry, blocked);
        if (offer.delivered > 0) progressed = true;
        if (!offer.pending) this.unpark(position);
        else parked.hashes = this.type === 'key_shared' ? offer.pendingHashes : undefined;
      }
      if (restart) continue;
      if (!this.anyCanTake()) continue;
      if (this.parkedOrder.length >= (this.options.maxParkedEntries ?? DEFAULT_MAX_PARKED)) {
        if (progressed) continue;
        this.pausedAtParkingBound++;
        this.options.onPaused?.();
        this.pumpLoop.stopped();
        return;
      }
      let entries: LogEntry[];
      // The tail before reading: an entry confirmed while the read is under way ends the wait below at once.
      const tail = this.ml.lastConfirmedPosition;
      if (this.readAhead.length > 0) {
        entries = this.readAhead;
        this.readAhead = [];
      } else {
        entries = await this.ml.reader.read(this.readPos ?? this.afterMarkDelete(), ENTRIES_PER_READ, READ_AHEAD_BYTES);
        if (generation !== this.generation || this.closed) continue;
      }
      if (entries.length === 0) {
        if (progressed) continue;
        await this.pumpLoop.idle(this.ml.waitForEntries(tail, TAIL_WAIT_MS));
        continue;
      }
      for (let i = 0; i < entries.length; i++) {
        if (!this.anyCanTake() || this.parkedOrder.length >= (this.options.maxParkedEntries ?? DEFAULT_MAX_PARKED)) {
          this.readAhead = entries.slice(i);
          break;
        }
        const entry = entries[i]!;
        this.readPos = this.ml.reader.next(entry.position);
        const offer = this.offer(entry, blocked);
        if (offer.pending) this.park(entry.position, this.type === 'key_shared' ? offer.pendingHashes : undefined);
      }
    }
  }

  /** Whether a message of key `h` could go out now (key_shared). */
  private mayDeliver(h: number, blocked: ReadonlySet<number>): boolean {
    if (blocked.has(h)) return false;
    const target = this.ring.ownerOf(h);
    const holder = this.hashHolders.get(h);
    return this.canTake(target) && (holder === undefined || holder.member === target);
  }

  /** Hands out what it can of an entry's messages not acknowledged and not held; says what is left. */
  private offer(entry: LogEntry, blocked: Set<number>): Offer {
    const { position, data } = entry;
    const k = positionKey(position);
    const acked = this.acks.entryAcks(position.ledgerId, position.entryId);
    const none: Offer = { delivered: 0, pending: false, pendingHashes: [] };
    if (acked === 'all') return none;
    let rec = this.inFlight.get(k);
    let count: number;
    let hashes = rec?.hashes;
    if (rec) count = rec.holder.length;
    else {
      const header = decodeMessageBatchHeader(data);
      count = header.messageCount;
      if (this.type === 'key_shared') hashes = this.hashesOf(header, position);
    }
    const pendingHashes = new Set<number>();
    let pending = false;
    const assigned = new Map<Member, number[]>();
    const taking = new Map<Member, number>();
    const shared = this.type === 'shared' ? this.nextMember() : undefined;
    for (let i = 0; i < count; i++) {
      if ((acked !== 'none' && isSet(acked, i)) || rec?.holder[i] !== undefined) continue;
      const h = hashes?.[i];
      if (this.options.heldElsewhere?.({ ...position, batchIndex: i })) {
        pending = true;
        if (h !== undefined) {
          blocked.add(h);
          pendingHashes.add(h);
        }
        this.recheckLater();
        continue;
      }
      let target: Member | undefined;
      if (h === undefined) target = shared;
      else if (!blocked.has(h)) {
        target = this.ring.ownerOf(h);
        const holder = this.hashHolders.get(h);
        if (holder !== undefined && holder.member !== target) target = undefined;
        else if (!this.canTake(target, taking.get(target!) ?? 0)) target = undefined;
      }
      if (target === undefined) {
        pending = true;
        if (h !== undefined) {
          blocked.add(h);
          pendingHashes.add(h);
        }
        continue;
      }
      let list = assigned.get(target);
      if (!list) assigned.set(target, (list = []));
      list.push(i);
      taking.set(target, (taking.get(target) ?? 0) + 1);
    }
    if (assigned.size === 0) return { delivered: 0, pending, pendingHashes: [...pendingHashes] };
    if (!rec) {
      rec = { position, hashes, holder: new Array<Member | undefined>(count).fill(undefined), holding: 0 };
      this.inFlight.set(k, rec);
    }
    let delivered = 0;
    for (const [m, indexes] of assigned) {
      const skip = new Uint8Array(Math.ceil(count / 8)).fill(0xff);
      for (const i of indexes) {
        skip[i >> 3]! &= ~(1 << (i & 7));
        rec.holder[i] = m;
        rec.holding++;
        if (hashes) {
          const h = hashes[i]!;
          const holder = this.hashHolders.get(h);
          if (holder) holder.count++;
          else this.hashHolders.set(h, { member: m, count: 1 });
        }
      }
      m.held.add(k);
      m.permits -= indexes.length;
      delivered += indexes.length;
      m.sink.push({ position, data, redeliveryCount: this.counts.get(k) ?? 0, ackedIndexes: indexes.length === count ? undefined : skip }, indexes.length);
    }
    return { delivered, pending, pendingHashes: [...pendingHashes] };
  }

  /** Shared: the next consumer able to take messages, in turn. */
  private nextMember(): Member | undefined {
    for (let n = 0; n < this.members.length; n++) {
      const m = this.members[(this.roundRobin + n) % this.members.length]!;
      if (this.canTake(m)) {
        this.roundRobin = (this.roundRobin + n + 1) % this.members.length;
        return m;
      }
    }
    return undefined;
  }

  /** Key hashes of an entry's messages; an entry whose keys cannot be known goes whole to the consumer of the empty key. */
  private hashesOf(header: ReturnType<typeof decodeMessageBatchHeader>, position: Position): Uint32Array {
    let hashes: Uint32Array | undefined;
    try {
      hashes = messageKeyHashes(header);
    } catch (err) {
      this.options.log.warn({ err, position }, 'entry keys unreadable; routing it by the empty key');
    }
    return hashes ?? new Uint32Array(header.messageCount).fill(keyHash(undefined));
  }

  private afterMarkDelete(): Position {
    const md = this.acks.markDelete;
    return md.entryId < 0 ? { ledgerId: md.ledgerId, entryId: 0 } : this.ml.reader.next(md);
  }
}

function isSet(bits: Uint8Array, i: number): boolean {
  return (bits[i >> 3]! & (1 << (i & 7))) !== 0;
}
