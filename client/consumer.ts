// A consumer of a subscription on a topic (every partition), or a reader (no subscription): messages come out
// of one bounded queue, as an async iterator or through a listener. The broker pushes only as many messages as
// the consumer granted permits for, and permits are granted again only as the application takes messages, so
// a slow loop slows the broker down instead of filling memory.
import { AbortedError, ClosedError, InvalidArgumentError } from './errors.js';
import { MessageId, type Message } from './message.js';
import { runInterceptors, type ConsumerInterceptor } from './interceptors.js';
import { PartitionConsumer, type InitialPosition, type MessageSink, type SubscriptionType } from './partition-consumer.js';
import type { ClientContext } from './client-context.js';

export interface ConsumerOptions {
  topic: string;
  subscription: string;
  /**
   * Default 'exclusive'. 'failover': one active consumer per partition. 'shared': any consumer gets any message,
   * acknowledged one by one (no cumulative acks). 'key_shared': shared, but all messages of a key go to one
   * consumer at a time, in order.
   */
  type?: SubscriptionType;
  /** Where a new subscription starts. Default 'latest'. */
  initialPosition?: InitialPosition;
  /** Failover: when the active consumer leaves, the next active one is the first by name. */
  name?: string;
  /** Messages each partition may push ahead of the application. Default 1000. */
  receiverQueueSize?: number;
  /** Messages handed out and not acked within this time are delivered again. 0 (default) = never. */
  ackTimeoutMs?: number;
  /** Called for each message, one at a time; the next comes when the returned promise settles. */
  listener?: (message: Message, consumer: Consumer) => void | Promise<void>;
  /** Failover: told when a partition's consumer becomes active or passive. */
  onActiveChange?: (partition: number, active: boolean) => void;
  /** Hooks on receive, ack and nack, in this order (e.g. a SequenceChecker). */
  interceptors?: ConsumerInterceptor[];
}

export interface ReaderOptions {
  topic: string;
  /**
   * 'earliest', 'latest', or a message id (the reader then reads that id's partition, from that message on).
   * Ignored when `startTime` is given.
   */
  startMessageId?: 'earliest' | 'latest' | MessageId | string;
  /** Read every partition from the first message published at or after this time (ms since the epoch). */
  startTime?: number;
  receiverQueueSize?: number;
  interceptors?: ConsumerInterceptor[];
}

interface Queued {
  message: Message;
  generation: number;
}

export class Consumer implements MessageSink, AsyncIterable<Message> {
  private queue: Queued[] = [];
  private head = 0;
  private waiters: Array<{ resolve(m: Queued | undefined): void; reject(err: Error): void }> = [];
  private readonly partitions = new Map<number, PartitionConsumer>();
  private closed = false;
  private readonly unackedSince = new Map<string, { message: Message; deadline: number }>();
  private ackTimer: NodeJS.Timeout | undefined;
  private listening: Promise<void> | undefined;

  private constructor(
    private readonly client: ClientContext,
    readonly topic: string,
    private readonly options: { type?: SubscriptionType; ackTimeoutMs: number; onActiveChange?: (partition: number, active: boolean) => void; interceptors?: ConsumerInterceptor[] },
  ) {}

  static async create(client: ClientContext, options: ConsumerOptions): Promise<Consumer> {
    if (!options.topic || !options.subscription) throw new InvalidArgumentError('consumer needs a topic and a subscription');
    const count = await client.partitionCount(options.topic);
    const consumer = new Consumer(client, options.topic, { type: options.type, ackTimeoutMs: options.ackTimeoutMs ?? 0, onActiveChange: options.onActiveChange, interceptors: options.interceptors });
    const base = {
      topic: options.topic,
      subscription: options.subscription,
      type: options.type ?? 'exclusive',
      initialPosition: options.initialPosition ?? 'latest',
      consumerName: options.name ?? `consumer-${Math.random().toString(36).slice(2, 10)}`,
      receiverQueueSize: options.receiverQueueSize ?? 1000,
    };
    await consumer.open(Array.from({ length: count }, (_, partition) => ({ ...base, partition })));
    if (options.listener) consumer.listen(options.listener);
    return consumer;
  }

  static async createReader(client: ClientContext, options: ReaderOptions): Promise<Consumer> {
    const given = options.startTime !== undefined ? 'earliest' : (options.startMessageId ?? 'earliest');
    const start = typeof given === 'string' && given !== 'earliest' && given !== 'latest' ? MessageId.parse(given) : given;
    const count = await client.partitionCount(options.topic);
    const partitions = start instanceof MessageId ? [start.partition] : Array.from({ length: count }, (_, i) => i);
    if (start instanceof MessageId && start.partition >= count) throw new InvalidArgumentError(`message id names partition ${start.partition} of a topic with ${count}`);
    const reader = new Consumer(client, options.topic, { ackTimeoutMs: 0, interceptors: options.interceptors });
    await reader.open(
      partitions.map((partition) => ({
        topic: options.topic,
        partition,
        subscription: '',
        type: 'exclusive' as const,
        initialPosition: start === 'earliest' ? ('earliest' as const) : ('latest' as const),
        consumerName: 'reader',
        receiverQueueSize: options.receiverQueueSize ?? 1000,
        reader: { start, startTime: options.startTime },
      })),
    );
    return reader;
  }

  private async open(configs: ConstructorParameters<typeof PartitionConsumer>[1][]): Promise<void> {
    for (const c of configs) this.partitions.set(c.partition, new PartitionConsumer(this.client, c, this));
    try {
      await Promise.all([...this.partitions.values()].map((p) => p.start()));
    } catch (err) {
      await this.close();
      throw err;
    }
    if (this.options.ackTimeoutMs > 0) {
      this.ackTimer = setInterval(() => this.redeliverExpired(), Math.max(10, this.options.ackTimeoutMs >> 1));
      this.ackTimer.unref();
    }
  }

  /** Partitions whose consumer is active (failover); every partition for exclusive. */
  get activePartitions(): number[] {
    return [...this.partitions.values()].filter((p) => p.active).map((p) => p.partition);
  }

  // ---- MessageSink (called by the partition consumers) ----

  deliver(message: Message, generation: number): void {
    const waiter = this.waiters.shift();
    const queued = { message, generation };
    if (waiter) waiter.resolve(queued);
    else this.queue.push(queued);
  }

  dropQueued(partition: number, generation: number): void {
    const kept = this.queue.slice(this.head).filter((q) => q.message.partition !== partition || q.generation >= generation);
    this.queue = kept;
    this.head = 0;
    for (const [k, v] of this.unackedSince) if (v.message.partition === partition) this.unackedSince.delete(k);
  }

  activeChanged(partition: number, active: boolean): void {
    this.options.onActiveChange?.(partition, active);
  }

  // ---- the application's side ----

  /** The next message; waits for one. Rejects with ClosedError once the consumer is closed, AbortedError on abort. */
  async receive(signal?: AbortSignal): Promise<Message> {
    const q = await this.next(signal);
    if (!q) throw new ClosedError('consumer is closed');
    return q.message;
  }

  private next(signal?: AbortSignal): Promise<Queued | undefined> {
    if (this.head < this.queue.length) {
      const q = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(this.taken(q));
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise<Queued | undefined>((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new AbortedError('receive aborted', { cause: signal!.reason }));
      };
      const waiter = {
        resolve: (q: Queued | undefined) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(q && this.taken(q));
        },
        reject,
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private taken(q: Queued): Queued {
    this.partitions.get(q.message.partition)?.consumed(q.message, q.generation);
    if (this.options.interceptors) q = { ...q, message: runInterceptors(this.options.interceptors, q.message, (i, m) => i.onReceive?.(m), (err) => this.interceptorFailed(err)) };
    if (this.options.ackTimeoutMs > 0) this.unackedSince.set(key(q.message.id), { message: q.message, deadline: Date.now() + this.options.ackTimeoutMs });
    return q;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    for (;;) {
      const q = await this.next();
      if (!q) return;
      yield q.message;
    }
  }

  private listen(listener: (message: Message, consumer: Consumer) => void | Promise<void>): void {
    this.listening = (async () => {
      for await (const m of this) {
        try {
          await listener(m, this);
        } catch (err) {
          this.client.log.warn({ err, topic: this.topic }, 'message listener failed; the message is delivered again');
          await this.nack(m).catch(() => undefined);
        }
      }
    })();
  }

  /** Acknowledges one message; resolves once the broker persisted it (never delivered to this subscription again). */
  private interceptorFailed(err: unknown): void {
    this.client.log.warn({ err, topic: this.topic }, 'consumer interceptor failed');
  }

  ack(message: Message): Promise<void> {
    runInterceptors(this.options.interceptors, undefined, (i) => i.onAck?.(message, false), (err) => this.interceptorFailed(err));
    this.unackedSince.delete(key(message.id));
    return this.partitionOf(message).ack(message);
  }

  /** Acknowledges this message and every earlier one of its partition. */
  ackCumulative(message: Message): Promise<void> {
    if (this.options.type === 'shared' || this.options.type === 'key_shared') {
      return Promise.reject(new InvalidArgumentError(`cumulative acknowledgement is not allowed on a ${this.options.type} subscription; acknowledge each message`));
    }
    runInterceptors(this.options.interceptors, undefined, (i) => i.onAck?.(message, true), (err) => this.interceptorFailed(err));
    for (const [k, v] of this.unackedSince) if (v.message.partition === message.partition && v.message.id.compareTo(message.id) <= 0) this.unackedSince.delete(k);
    return this.partitionOf(message).ackCumulative(message);
  }

  /** Asks for the message to be delivered again (its whole batch entry comes again, acked messages skipped). */
  nack(message: Message): Promise<void> {
    runInterceptors(this.options.interceptors, undefined, (i) => i.onNack?.(message), (err) => this.interceptorFailed(err));
    this.unackedSince.delete(key(message.id));
    return this.partitionOf(message).nack([message]);
  }

  private partitionOf(message: Message): PartitionConsumer {
    const p = this.partitions.get(message.partition);
    if (!p) throw new InvalidArgumentError(`message of partition ${message.partition} does not belong to this consumer`);
    return p;
  }

  private redeliverExpired(): void {
    const now = Date.now();
    const byPartition = new Map<number, Message[]>();
    for (const [k, v] of this.unackedSince) {
      if (v.deadline > now) continue;
      this.unackedSince.delete(k);
      runInterceptors(this.options.interceptors, undefined, (i) => i.onNack?.(v.message), (err) => this.interceptorFailed(err));
      let list = byPartition.get(v.message.partition);
      if (!list) byPartition.set(v.message.partition, (list = []));
      list.push(v.message);
    }
    for (const [p, list] of byPartition) void this.partitions.get(p)?.nack(list);
  }

  /**
   * Moves the subscription (or the reader) to a message — on that message's partition — or to a publish time on
   * every partition: messages before it count as acknowledged, from it on as not; what was queued and not yet
   * handed out is dropped.
   */
  async seek(target: MessageId | string | number): Promise<void> {
    if (typeof target === 'number') {
      if (!Number.isSafeInteger(target) || target < 0) throw new InvalidArgumentError(`seek time must be ms since the epoch, got ${target}`);
      await Promise.all([...this.partitions.values()].map((p) => p.seek({ time: target })));
      this.unackedSince.clear();
      return;
    }
    const id = typeof target === 'string' ? MessageId.parse(target) : target;
    const p = this.partitions.get(id.partition);
    if (!p) throw new InvalidArgumentError(`message id names partition ${id.partition}, which this consumer does not read`);
    await p.seek({ id });
    for (const [k, v] of this.unackedSince) if (v.message.partition === id.partition) this.unackedSince.delete(k);
  }

  /** Deletes the subscription on every partition and closes the consumer. */
  async unsubscribe(): Promise<void> {
    for (const p of this.partitions.values()) await p.unsubscribe();
    await this.close();
  }

  /** Detaches from every partition; what was handed out and not acked is delivered again later (to others). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ackTimer);
    await Promise.all([...this.partitions.values()].map((p) => p.close()));
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
    this.client.untrack(this);
    await this.listening;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

const key = (id: MessageId) => `${id.partition}:${id.ledgerId}:${id.entryId}:${id.batchIndex}`;
