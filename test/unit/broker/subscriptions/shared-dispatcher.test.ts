// SharedDispatcher over an in-memory log: shared distribution and redelivery, and key_shared exclusivity and
// per-key order under consumers joining and leaving (randomized, seeded), with no global stall behind one
// consumer that stops taking messages.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../common/index.js';
import type { LogEntry, Position } from '../../../../broker/managed-ledger/index.js';
import { AckSet } from '../../../../broker/subscriptions/ack-set.js';
import { ledgerOrderOf } from '../../../../broker/subscriptions/ledger-order.js';
import type { ConsumerSink, DispatchLog, PushedEntry } from '../../../../broker/subscriptions/dispatcher.js';
import { SharedDispatcher, type SharedType } from '../../../../broker/subscriptions/shared-dispatcher.js';
import { batchPayload, CompressionCodec, type CompressionCodecId, decodeMessageBatchHeader, decodeMessages, encodeMessageBatch } from '../../../../protocol/index.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';

const LEDGER = 7;

/** One open ledger in memory. */
class MemoryLog implements DispatchLog {
  readonly entries: Buffer[] = [];
  private waiters: Array<() => void> = [];
  readonly reader = {
    read: async (from: Position, maxEntries: number): Promise<LogEntry[]> => {
      const out: LogEntry[] = [];
      for (let e = Math.max(0, from.entryId); e < this.entries.length && out.length < maxEntries; e++) out.push({ position: { ledgerId: LEDGER, entryId: e }, data: this.entries[e]! });
      return out;
    },
    next: (p: Position): Position => ({ ledgerId: LEDGER, entryId: p.entryId + 1 }),
  };

  get lastConfirmedPosition(): Position | undefined {
    return this.entries.length === 0 ? undefined : { ledgerId: LEDGER, entryId: this.entries.length - 1 };
  }

  append(messages: Array<{ key?: string; value: string }>, compression: CompressionCodecId = CompressionCodec.NONE): void {
    this.entries.push(Buffer.concat(encodeMessageBatch({ publishTime: 1, compression }, messages.map((m) => ({ key: m.key, value: Buffer.from(m.value) })))));
    for (const w of this.waiters.splice(0)) w();
  }

  waitForEntries(after: Position | undefined, timeoutMs: number): Promise<void> {
    if (this.entries.length - 1 > (after?.entryId ?? -1)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

interface Held {
  position: { ledgerId: number; entryId: number; batchIndex: number };
  batchSize: number;
  key: string;
  value: string;
  redeliveryCount: number;
}

/** A consumer as the dispatcher sees it, recording what it was pushed message by message. */
class TestConsumer implements ConsumerSink {
  writable = true;
  held: Held[] = [];
  received: Held[] = [];
  constructor(readonly name: string) {}

  push(entry: PushedEntry, messages: number): void {
    const header = decodeMessageBatchHeader(entry.data);
    const decoded = decodeAll(entry.data);
    let n = 0;
    for (let i = 0; i < header.messageCount; i++) {
      if (entry.ackedIndexes && (entry.ackedIndexes[i >> 3]! & (1 << (i & 7))) !== 0) continue;
      const h: Held = { position: { ...entry.position, batchIndex: i }, batchSize: header.messageCount, key: decoded[i]!.key ?? '', value: decoded[i]!.value, redeliveryCount: entry.redeliveryCount };
      this.held.push(h);
      this.received.push(h);
      n++;
    }
    expect(n).toBe(messages);
  }

  activeChanged(): void {}
}

/** The messages of an entry, decompressed as the client does. */
function decodeAll(data: Buffer): Array<{ key?: string; value: string }> {
  const header = decodeMessageBatchHeader(data);
  return decodeMessages(batchPayload(header), header.messageCount).map((m) => ({ key: m.key, value: m.value.toString() }));
}

function setup(type: SharedType, maxParkedEntries?: number): { log: MemoryLog; d: SharedDispatcher } {
  const log = new MemoryLog();
  const acks = new AckSet(ledgerOrderOf(() => [{ ledgerId: LEDGER, entries: undefined, size: 0, createdAt: 0 }]), { ledgerId: LEDGER, entryId: -1 });
  const d = new SharedDispatcher(type, log, acks, { persist: () => Promise.resolve(), log: silentLogger, maxParkedEntries });
  return { log, d };
}

/** Lets the dispatch loop run until it waits (reads from memory resolve at once). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function ack(d: SharedDispatcher, c: TestConsumer, messages: Held[]): Promise<void> {
  const set = new Set(messages);
  c.held = c.held.filter((h) => !set.has(h));
  await d.ack(c, messages.map((m) => ({ ...m.position, batchSize: m.batchSize })), false);
}

describe('SharedDispatcher: shared', () => {
  it('spreads messages over consumers with permits, never one message to two, and delivers a nacked entry again', async () => {
    const { log, d } = setup('shared');
    for (let i = 0; i < 40; i++) log.append([{ value: `m${i}` }]);
    const a = new TestConsumer('a');
    const b = new TestConsumer('b');
    d.attach(a, 'shared');
    d.attach(b, 'shared');
    d.flow(a, 10);
    d.flow(b, 10);
    await settle();
    expect(a.received).toHaveLength(10);
    expect(b.received).toHaveLength(10);
    const values = [...a.received, ...b.received].map((m) => m.value).sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    // a nacks everything it holds: it goes to whoever has permits (b), with a raised redelivery count
    const nacked = a.held.map((h) => h.value).sort();
    expect(d.nack(a, [])).toBe(10);
    a.held = [];
    d.flow(b, 10);
    await settle();
    const again = b.received.slice(10).map((m) => m.value).sort();
    expect(again).toEqual(nacked);
    expect(b.received.slice(10).every((m) => m.redeliveryCount === 1)).toBe(true);
    // b leaves holding 20: a gets them (and the rest), all 40 are acked exactly once at the end
    d.detach(b);
    d.flow(a, 100);
    await settle();
    await ack(d, a, a.held);
    const final = new Set(a.received.map((m) => m.value));
    expect(final.size).toBe(40);
    expect(d.acks.markDelete).toEqual({ ledgerId: LEDGER, entryId: 39 });
  });

  it('refuses cumulative acks', async () => {
    const { log, d } = setup('shared');
    log.append([{ value: 'x' }]);
    const a = new TestConsumer('a');
    d.attach(a, 'shared');
    await expect(d.ack(a, [{ ledgerId: LEDGER, entryId: 0, batchIndex: 0, batchSize: 1 }], true)).rejects.toMatchObject({ code: 'INVALID_ACK' });
    expect(d.acks.markDelete).toEqual({ ledgerId: LEDGER, entryId: -1 });
  });

  it('does not push what the HTTP queue holds, and pushes it once it is let go', async () => {
    const log = new MemoryLog();
    const acks = new AckSet(ledgerOrderOf(() => [{ ledgerId: LEDGER, entries: undefined, size: 0, createdAt: 0 }]), { ledgerId: LEDGER, entryId: -1 });
    let httpHolds = true;
    const d = new SharedDispatcher('shared', log, acks, { persist: () => Promise.resolve(), heldElsewhere: (p) => httpHolds && p.entryId === 0, log: silentLogger });
    log.append([{ value: 'held' }]);
    log.append([{ value: 'free' }]);
    const a = new TestConsumer('a');
    d.attach(a, 'shared');
    d.flow(a, 10);
    await settle();
    expect(a.received.map((m) => m.value)).toEqual(['free']);
    httpHolds = false;
    d.flow(a, 1);
    await settle();
    expect(a.received.map((m) => m.value)).toEqual(['free', 'held']);
  });
});

describe('SharedDispatcher: key_shared', () => {
  it('splits a batch of mixed keys between consumers and never lets two consumers hold one key (randomized)', async () => {
    const seed = Number(process.env.SEED ?? Date.now() % 100_000);
    const rnd = new SeededRandom(seed);
    const { log, d } = setup('key_shared');
    const keys = Array.from({ length: 24 }, (_, i) => `k${i}`);
    const produced = new Map<string, string[]>();
    let seq = 0;
    const produce = (): void => {
      const batch = Array.from({ length: 1 + rnd.int(8) }, () => {
        const key = rnd.pick(keys);
        const value = `${key}-${seq++}`;
        produced.set(key, [...(produced.get(key) ?? []), value]);
        return { key, value };
      });
      log.append(batch, rnd.int(3) === 0 ? CompressionCodec.LZ4 : CompressionCodec.NONE);
    };
    const consumers: TestConsumer[] = [];
    let named = 0;
    const acked = new Map<string, string[]>();
    const join = (): void => {
      const c = new TestConsumer(`c${named++}`);
      consumers.push(c);
      d.attach(c, 'key_shared');
      d.flow(c, 1 + rnd.int(30));
    };
    /** Per key, at most one consumer holds messages of it. */
    const checkExclusive = (): void => {
      const holderOf = new Map<string, string>();
      for (const c of consumers) {
        for (const h of c.held) {
          const other = holderOf.get(h.key);
          if (other !== undefined && other !== c.name) throw new Error(`seed ${seed}: key ${h.key} held by ${other} and ${c.name}`);
          holderOf.set(h.key, c.name);
        }
      }
    };
    join();
    join();
    for (let step = 0; step < 400; step++) {
      const op = rnd.int(10);
      if (op < 4) produce();
      else if (op < 7) {
        // a consumer acks a prefix of what it holds, in the order received (as an application processing in order)
        const c = rnd.pick(consumers);
        if (c.held.length > 0) {
          const n = 1 + rnd.int(c.held.length);
          const prefix = c.held.slice(0, n);
          for (const h of prefix) acked.set(h.key, [...(acked.get(h.key) ?? []), h.value]);
          await ack(d, c, prefix);
          d.flow(c, n);
        }
      } else if (op === 7 && consumers.length < 5) join();
      else if (op === 8 && consumers.length > 1) {
        const c = consumers.splice(rnd.int(consumers.length), 1)[0]!;
        d.detach(c);
        c.held = [];
      } else {
        const c = rnd.pick(consumers);
        d.flow(c, 1 + rnd.int(10));
      }
      await settle();
      checkExclusive();
    }
    // drain: everyone takes and acks everything, in order
    for (let round = 0; round < 200; round++) {
      for (const c of consumers) {
        if (c.held.length > 0) {
          for (const h of c.held) acked.set(h.key, [...(acked.get(h.key) ?? []), h.value]);
          const n = c.held.length;
          await ack(d, c, [...c.held]);
          d.flow(c, n);
        } else d.flow(c, 10);
      }
      await settle();
      checkExclusive();
      if (consumers.every((c) => c.held.length === 0) && [...acked.values()].reduce((s, l) => s + l.length, 0) === seq) break;
    }
    // every message acked exactly once, and per key in the order produced
    for (const key of keys) expect(acked.get(key) ?? [], `seed ${seed}, key ${key}`).toEqual(produced.get(key) ?? []);
    expect(d.acks.markDelete).toEqual({ ledgerId: LEDGER, entryId: log.entries.length - 1 });
  });

  it('a consumer that stops taking messages holds back only its own keys', async () => {
    const { log, d } = setup('key_shared', 1_000);
    const stuck = new TestConsumer('stuck');
    const busy = new TestConsumer('busy');
    d.attach(stuck, 'key_shared');
    d.attach(busy, 'key_shared');
    d.flow(stuck, 1); // takes one message and never acks it
    d.flow(busy, 1_000);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    for (let i = 0; i < 300; i++) log.append([{ key: keys[i % keys.length]!, value: `v${i}` }]);
    await settle();
    expect(stuck.received).toHaveLength(1);
    const stuckKeys = new Set<string>();
    // the keys of the stuck consumer: every message not delivered to busy
    const toBusy = new Set(busy.received.map((m) => m.value));
    for (let i = 0; i < 300; i++) if (!toBusy.has(`v${i}`)) stuckKeys.add(keys[i % keys.length]!);
    expect(stuckKeys.size).toBeGreaterThan(0);
    expect(stuckKeys.size).toBeLessThan(keys.length);
    // busy got every message of every other key, in order
    const expected = Array.from({ length: 300 }, (_, i) => i).filter((i) => !stuckKeys.has(keys[i % keys.length]!)).map((i) => `v${i}`);
    expect(busy.received.map((m) => m.value)).toEqual(expected);
    // the stuck consumer leaves: its keys move to busy, in order, the held one first
    d.detach(stuck);
    await settle();
    const moved = busy.received.slice(expected.length).map((m) => m.value);
    expect(moved).toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => stuckKeys.has(keys[i % keys.length]!)).map((i) => `v${i}`));
  });

  it('a key that moves to a joining consumer waits until its old consumer acked what it holds', async () => {
    const { log, d } = setup('key_shared');
    const a = new TestConsumer('a');
    d.attach(a, 'key_shared');
    d.flow(a, 1_000);
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    for (const k of keys) log.append([{ key: k, value: `${k}:1` }]);
    await settle();
    expect(a.held).toHaveLength(50);
    const b = new TestConsumer('b');
    d.attach(b, 'key_shared');
    d.flow(b, 1_000);
    for (const k of keys) log.append([{ key: k, value: `${k}:2` }]);
    await settle();
    // nothing of a key a holds went to b
    expect(b.received).toHaveLength(0);
    const aSecond = a.received.filter((m) => m.value.endsWith(':2')).map((m) => m.key);
    expect(aSecond.length).toBeGreaterThan(0);
    expect(aSecond.length).toBeLessThan(50);
    // a acks its first messages: the moved keys flow to b, each after its first message was acked
    await ack(d, a, a.held.filter((m) => m.value.endsWith(':1')));
    await settle();
    expect(b.received.map((m) => m.key).sort()).toEqual(keys.filter((k) => !aSecond.includes(k)).sort());
  });
});
