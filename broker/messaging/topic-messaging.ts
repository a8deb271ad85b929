// The HTTP messaging API over a topic's partitions: produce (routed by key, else round robin), receive
// across partitions with a long poll, ack and nack by message id. Each partition is served here or at its
// owner (forwarded through the internal API).
import type { Logger } from '../../common/index.js';
import { delay } from '../../common/index.js';
import type { PartitionRef } from '../../metadata/index.js';
import { decodeMessageId, partitionForKey, type MessageId } from '../../protocol/index.js';
import type { BrokerMetrics } from '../broker-metrics.js';
import { InvalidRequestError } from '../errors.js';
import type { IncomingMessage, ProduceResult, ReceiveOptions, ReceivedMessage } from '../http/broker-api.js';
import type { Partition } from '../partition/partition.js';
import { forward } from '../routing/forward-client.js';
import type { TopicName } from '../topics/topic-name.js';
import type { TopicStore } from '../topics/topic-store.js';

export interface TopicMessagingDeps {
  topics: TopicStore;
  stats: BrokerMetrics;
  log: Logger;
  maxUnackedPerSubscription: number;
  isReady(): boolean;
  assertReady(): void;
  /** Runs `local` where this broker serves `p`, or `remote` against its owner's HTTP URL. */
  onPartition<T>(p: PartitionRef, local: (partition: Partition) => Promise<T>, remote: (url: string) => Promise<T>): Promise<T>;
}

const internal = (p: PartitionRef) => `/internal/v1/partitions/${p.topic}/${p.partition}`;

/** Wire form of a message forwarded to another broker, and back. */
interface WireMessage {
  key?: string;
  valueBase64: string;
  properties: Record<string, string>;
  sequenceId?: number;
  eventTime?: number;
}

export class TopicMessaging {
  private readonly roundRobin = new Map<string, number>();

  constructor(private readonly deps: TopicMessagingDeps) {}

  async produce(name: TopicName, producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]> {
    this.deps.assertReady();
    const { partitions } = await this.deps.topics.get(name);
    const byPartition = new Map<number, number[]>();
    messages.forEach((m, i) => {
      const p = m.key !== undefined ? partitionForKey(m.key, partitions) : this.nextPartition(name.full, partitions);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push(i);
    });
    const results: ProduceResult[] = new Array(messages.length);
    await Promise.all(
      [...byPartition].map(async ([i, indexes]) => {
        const p = { topic: name.full, partition: i };
        const batch = indexes.map((j) => messages[j]!);
        try {
          const stored = await this.deps.onPartition(
            p,
            (partition) => partition.produce(producer, batch),
            async (url) => (await forward<{ results: ProduceResult[] }>(url, 'POST', `${internal(p)}/produce`, { producer, messages: batch.map(toWire) })).results,
          );
          stored.forEach((r, j) => (results[indexes[j]!] = r));
        } catch (err) {
          const e = err as { code?: string; message?: string };
          for (const j of indexes) results[j] = { partition: i, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
        }
      }),
    );
    let stored = 0;
    for (const r of results) if (!('error' in r)) stored++;
    this.deps.stats.messagesIn.inc(stored);
    return results;
  }

  private nextPartition(topic: string, partitions: number): number {
    const n = this.roundRobin.get(topic) ?? Math.floor(Math.random() * partitions);
    this.roundRobin.set(topic, n + 1);
    return n % partitions;
  }

  async receive(name: TopicName, subscription: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    this.deps.assertReady();
    const { partitions } = await this.deps.topics.get(name);
    const deadline = Date.now() + options.waitMs;
    const start = this.nextPartition(`${name.full}#${subscription}`, partitions);
    for (;;) {
      const out: ReceivedMessage[] = [];
      const localLogs: Partition[] = [];
      let remote = false;
      for (let k = 0; k < partitions && out.length < options.max; k++) {
        const p = { topic: name.full, partition: (start + k) % partitions };
        const take = { ...options, max: options.max - out.length, waitMs: 0 };
        const taken = await this.deps.onPartition(
          p,
          async (partition) => {
            localLogs.push(partition);
            const sub = await partition.subscription(subscription);
            const got = await sub.take(take.max, take.visibilityMs);
            if (got.length === 0 && sub.unacked >= this.deps.maxUnackedPerSubscription) this.deps.stats.dispatchPaused.inc();
            return got;
          },
          async (url) => {
            remote = true;
            const res = await forward<{ messages: Array<Omit<ReceivedMessage, 'value'> & { valueBase64: string }> }>(url, 'POST', `${internal(p)}/subscriptions/${subscription}/receive`, take);
            return res.messages.map(({ valueBase64, ...m }) => ({ ...m, value: Buffer.from(valueBase64, 'base64') }));
          },
        ).catch((err: unknown) => {
          // One unavailable partition does not fail the receive: the others are served.
          this.deps.log.debug({ err, partition: p }, 'partition unavailable for receive');
          return [] as ReceivedMessage[];
        });
        out.push(...taken);
      }
      const left = deadline - Date.now();
      if (out.length > 0 || left <= 0 || !this.deps.isReady()) {
        this.deps.stats.messagesOut.inc(out.length);
        return out;
      }
      // Wait for a new entry on a local partition (or poll remote ones), within the wait.
      const wait = remote || localLogs.length === 0 ? Math.min(left, 50) : left;
      const subs = await Promise.all(localLogs.map((l) => l.subscription(subscription)));
      const nextDeadline = Math.min(...subs.map((s) => s.nextDeadline() ?? Infinity));
      const until = Math.max(1, Math.min(wait, nextDeadline - Date.now()));
      if (localLogs.length === 0) await delay(until);
      else await Promise.race(localLogs.map((l) => l.ml.waitForEntries(l.ml.lastConfirmedPosition, until)));
    }
  }

  private parseIds(ids: string[], partitions: number): Map<number, MessageId[]> {
    const byPartition = new Map<number, MessageId[]>();
    for (const s of ids) {
      let id: MessageId;
      try {
        id = decodeMessageId(s);
      } catch (err) {
        throw new InvalidRequestError(`invalid message id ${JSON.stringify(s.slice(0, 64))}: ${(err as Error).message}`);
      }
      if (id.partition >= partitions) throw new InvalidRequestError(`message id ${s} names partition ${id.partition} of a topic with ${partitions}`);
      let list = byPartition.get(id.partition);
      if (!list) byPartition.set(id.partition, (list = []));
      list.push(id);
    }
    return byPartition;
  }

  /** Acks or nacks messages by id; ids name their partitions. Resolves with how many were affected. */
  async ackOrNack(action: 'ack' | 'nack', name: TopicName, subscription: string, ids: string[]): Promise<number> {
    this.deps.assertReady();
    const { partitions } = await this.deps.topics.get(name);
    let n = 0;
    for (const [i, list] of this.parseIds(ids, partitions)) {
      const p = { topic: name.full, partition: i };
      n += await this.deps.onPartition(
        p,
        async (partition) => {
          const sub = await partition.subscription(subscription);
          return action === 'ack' ? sub.ack(list) : sub.nack(list);
        },
        async (url) => {
          const res = await forward<{ acked?: number; nacked?: number }>(url, 'POST', `${internal(p)}/subscriptions/${subscription}/${action}`, { ids: ids.filter((s) => decodeMessageId(s).partition === i) });
          return res.acked ?? res.nacked ?? 0;
        },
      );
    }
    if (action === 'ack') this.deps.stats.acks.inc(n);
    return n;
  }
}

function toWire(m: IncomingMessage): WireMessage {
  return { key: m.key, valueBase64: m.value.toString('base64'), properties: m.properties, sequenceId: m.sequenceId, eventTime: m.eventTime };
}
