// A producer on a topic: routes each message to a partition (by key, with the same hash as the HTTP API; keyless
// messages stick to one partition per batch, then move on), bounds what is pending, and answers each send() with
// the message's id once it is durable.
import { CompressionCodec, MAX_BATCH_PAYLOAD_SIZE, partitionForKey } from '../protocol/index.js';
import { AbortedError, ClosedError, InvalidArgumentError, ProducerQueueFullError } from './errors.js';
import { toInput, type MessageId, type OutgoingMessage } from './message.js';
import { runInterceptors, type ProducerInterceptor } from './interceptors.js';
import { PartitionProducer, type BatchingOptions } from './partition-producer.js';
import type { ClientContext } from './client-context.js';

export interface ProducerOptions {
  topic: string;
  /** The producer name, the key of deduplication: resending under the same name never stores twice. Default: assigned by the broker. */
  name?: string;
  /** Batching bounds, or false to send every message as its own batch. */
  batching?: Partial<BatchingOptions> | false;
  /** Messages sent and not yet answered, at most. Default 10,000. */
  maxPendingMessages?: number;
  /** When the pending queue is full: wait for room (true, default) or fail with ProducerQueueFullError. */
  blockIfQueueFull?: boolean;
  /** A send not stored within this time fails with TimeoutError. Default 30 s. */
  sendTimeoutMs?: number;
  /** 'key' (default: hash of the key, sticky round robin without one) or a function choosing the partition. */
  routing?: 'key' | ((message: OutgoingMessage, partitions: number) => number);
  /** Compression of each batch: 'none' (default) or 'lz4'. Consumers decompress; the broker stores batches as sent. */
  compression?: 'none' | 'lz4';
  /** Hooks before each send and on each answer, in this order. */
  interceptors?: ProducerInterceptor[];
}

/** The largest message value: one message must fit a batch with room for its framing. */
const MAX_MESSAGE_VALUE = MAX_BATCH_PAYLOAD_SIZE - 64 * 1024;

export class Producer {
  private pending = 0;
  private spaceWaiters: Array<() => void> = [];
  private sticky = Math.floor(Math.random() * 1024);
  private closed = false;

  private constructor(
    private readonly client: ClientContext,
    readonly topic: string,
    private readonly partitions: PartitionProducer[],
    private readonly options: ProducerOptions,
    private readonly maxPending: number,
  ) {}

  static async create(client: ClientContext, options: ProducerOptions): Promise<Producer> {
    if (typeof options.topic !== 'string' || options.topic === '') throw new InvalidArgumentError('producer needs a topic');
    const count = await client.partitionCount(options.topic);
    const batching: BatchingOptions =
      options.batching === false ? { maxMessages: 1, maxBytes: 1, maxDelayMs: 0 } : { maxMessages: 1000, maxBytes: 128 * 1024, maxDelayMs: 1, ...options.batching };
    if (!(batching.maxMessages >= 1 && batching.maxMessages <= 10_000)) throw new InvalidArgumentError('batching.maxMessages must be 1 … 10,000');
    if (!(batching.maxBytes >= 1 && batching.maxBytes <= MAX_MESSAGE_VALUE)) throw new InvalidArgumentError(`batching.maxBytes must be 1 … ${MAX_MESSAGE_VALUE}`);
    if (!(batching.maxDelayMs >= 0)) throw new InvalidArgumentError('batching.maxDelayMs must be ≥ 0');
    const maxPending = options.maxPendingMessages ?? 10_000;
    const compression = options.compression ?? 'none';
    if (compression !== 'none' && compression !== 'lz4') throw new InvalidArgumentError(`compression must be 'none' or 'lz4', got ${String(compression)}`);
    const codec = compression === 'lz4' ? CompressionCodec.LZ4 : CompressionCodec.NONE;
    if (!(maxPending >= 1)) throw new InvalidArgumentError('maxPendingMessages must be ≥ 1');
    const holder: { producer?: Producer } = {};
    const parts: PartitionProducer[] = [];
    for (let i = 0; i < count; i++) {
      parts.push(new PartitionProducer(client, options.topic, i, options.name ?? '', batching, options.sendTimeoutMs ?? 30_000, (n) => holder.producer!.released(n), codec));
    }
    const producer = (holder.producer = new Producer(client, options.topic, parts, options, maxPending));
    try {
      await Promise.all(parts.map((p) => p.start()));
    } catch (err) {
      await Promise.all(parts.map((p) => p.close().catch(() => undefined)));
      throw err;
    }
    return producer;
  }

  /** The producer's name on each partition (assigned by the broker unless given). */
  get names(): string[] {
    return this.partitions.map((p) => p.name);
  }

  get partitionCount(): number {
    return this.partitions.length;
  }

  /** Messages sent and not yet answered. */
  get pendingMessages(): number {
    return this.pending;
  }

  /**
   * Sends one message; resolves with its id once it is stored durably (on the bookies' journals), rejects with a
   * ClientError (TimeoutError after sendTimeoutMs, ProducerQueueFullError when full and not blocking).
   */
  async send(message: OutgoingMessage | Buffer | string, signal?: AbortSignal): Promise<MessageId> {
    if (this.closed) throw new ClosedError(`producer on ${this.topic} is closed`);
    const given: OutgoingMessage = typeof message === 'string' || Buffer.isBuffer(message) ? { value: message } : message;
    const interceptors = this.options.interceptors;
    const m = runInterceptors(interceptors, given, (i, v) => i.beforeSend?.(v, this.topic), (err) => this.client.log.warn({ err }, 'producer interceptor failed'));
    while (this.pending >= this.maxPending) {
      if (this.options.blockIfQueueFull === false) throw new ProducerQueueFullError(`${this.pending} messages pending on ${this.topic}`);
      await this.roomOrAbort(signal);
      if (this.closed) throw new ClosedError(`producer on ${this.topic} is closed`);
    }
    const input = toInput(m);
    if (input.value.length > MAX_MESSAGE_VALUE) throw new InvalidArgumentError(`a message value of ${input.value.length} bytes exceeds the maximum of ${MAX_MESSAGE_VALUE}`);
    const partition = this.partitionFor(m);
    this.pending++;
    const sent = this.partitions[partition]!.send(input, input.value.length);
    if (!interceptors) return sent;
    return sent.then(
      (id) => (this.acknowledged(interceptors, m, { id }), id),
      (error: Error) => {
        this.acknowledged(interceptors, m, { error });
        throw error;
      },
    );
  }

  private acknowledged(interceptors: ProducerInterceptor[], m: OutgoingMessage, result: { id: MessageId } | { error: Error }): void {
    runInterceptors(interceptors, undefined, (i) => i.onSendAcknowledged?.(m, result), (err) => this.client.log.warn({ err }, 'producer interceptor failed'));
  }

  private roomOrAbort(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new AbortedError('send aborted while waiting for room in the pending queue', { cause: signal!.reason }));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.spaceWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private partitionFor(m: OutgoingMessage): number {
    const n = this.partitions.length;
    const routing = this.options.routing ?? 'key';
    if (typeof routing === 'function') {
      const p = routing(m, n);
      if (!Number.isInteger(p) || p < 0 || p >= n) throw new InvalidArgumentError(`routing chose partition ${p} of ${n}`);
      return p;
    }
    if (m.key !== undefined) return partitionForKey(m.key, n);
    // Keyless messages stay on one partition until its batch is sent, so batches fill up; then the next one.
    if (!this.partitions[this.sticky % n]!.hasOpenBatch) this.sticky++;
    return this.sticky % n;
  }

  private released(n: number): void {
    this.pending -= n;
    while (this.pending < this.maxPending && this.spaceWaiters.length > 0) this.spaceWaiters.shift()!();
  }

  /** Sends every open batch now and resolves once everything sent so far is answered. */
  async flush(): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.flush()));
  }

  /** Flushes, then closes the producer on every partition. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.partitions.map((p) => p.close()));
    for (const w of this.spaceWaiters.splice(0)) w();
    this.client.untrack(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
