// The producer of one partition: batches messages, sends each batch as one SEND with consecutive sequence ids
// under the producer's name, and after a failure or a move looks the partition up again and resends every
// unanswered batch unchanged (same name, same ids, same bytes), so the broker's deduplication drops what was stored.
//
// States: connecting → ready → (connection lost / TOPIC_MOVED) connecting → … → closed.
import { CompressionCodec, encodeMessageBatch, type CompressionCodecId, type MessageInput } from '../protocol/index.js';
import { brokerHint } from './broker-url.js';
import type { ClientConnection } from './client-connection.js';
import { BrokerRequestError, ClosedError, InvalidArgumentError, TimeoutError, type ClientError } from './errors.js';
import { MessageId } from './message.js';
import type { ClientContext } from './client-context.js';

export type PartitionProducerState = 'connecting' | 'ready' | 'closed';

export interface BatchingOptions {
  /** Messages per batch at most. Default 1000. */
  maxMessages: number;
  /** Bytes of values per batch at most (a larger single message is sent alone). Default 128 KiB. */
  maxBytes: number;
  /** How long the first message of a batch waits for others. Default 1 ms. */
  maxDelayMs: number;
}

interface Waiter {
  resolve(id: MessageId): void;
  reject(err: Error): void;
}

interface Batch {
  first: number;
  messages: MessageInput[] | undefined;
  waiters: Waiter[];
  entry: Buffer | undefined;
  sentAt: number;
  done: boolean;
}

export class PartitionProducer {
  private current: PartitionProducerState = 'connecting';
  private conn: ClientConnection | undefined;
  private producerId = 0;
  private generation = 0;
  private nextSequenceId = 0;
  private open: { messages: MessageInput[]; waiters: Waiter[]; bytes: number; timer: NodeJS.Timeout | undefined } = { messages: [], waiters: [], bytes: 0, timer: undefined };
  private readonly inFlight: Batch[] = [];
  private reconnecting: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  name: string;

  constructor(
    private readonly client: ClientContext,
    readonly topic: string,
    readonly partition: number,
    name: string,
    private readonly batching: BatchingOptions,
    private readonly sendTimeoutMs: number,
    private readonly onSettled: (messages: number) => void,
    private readonly compression: CompressionCodecId = CompressionCodec.NONE,
  ) {
    this.name = name;
  }

  get state(): PartitionProducerState {
    return this.current;
  }

  /** Whether messages wait in a batch not sent yet. */
  get hasOpenBatch(): boolean {
    return this.open.messages.length > 0;
  }

  /** Opens the producer on the partition's broker; rejects on the first non-retriable error. */
  async start(): Promise<void> {
    await this.connect();
  }

  /** Queues one message; resolves with its id once the broker stored it durably. */
  send(message: MessageInput, size: number): Promise<MessageId> {
    if (this.current === 'closed') return Promise.reject(new ClosedError(`producer ${this.name} is closed`));
    return new Promise<MessageId>((resolve, reject) => {
      const b = this.open;
      if (b.messages.length > 0 && b.bytes + size > this.batching.maxBytes) this.flushOpenBatch();
      this.open.messages.push(message);
      this.open.waiters.push({ resolve, reject });
      this.open.bytes += size;
      if (this.open.messages.length >= this.batching.maxMessages || this.open.bytes >= this.batching.maxBytes) this.flushOpenBatch();
      else if (this.open.timer === undefined) {
        this.open.timer = setTimeout(() => this.flushOpenBatch(), this.batching.maxDelayMs);
      }
    });
  }

  /** Sends the open batch now. */
  flushOpenBatch(): void {
    const b = this.open;
    clearTimeout(b.timer);
    if (b.messages.length === 0) return;
    this.open = { messages: [], waiters: [], bytes: 0, timer: undefined };
    const batch: Batch = { first: this.nextSequenceId, messages: b.messages, waiters: b.waiters, entry: undefined, sentAt: Date.now(), done: false };
    this.nextSequenceId += b.messages.length;
    this.inFlight.push(batch);
    if (this.current === 'ready') this.transmit(batch);
  }

  /** Resolves once every message sent so far is answered. */
  async flush(): Promise<void> {
    this.flushOpenBatch();
    if (this.inFlight.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.current === 'closed') return;
    await this.flush();
    const conn = this.conn;
    this.current = 'closed';
    if (conn?.isOpen) {
      conn.detach('producer', this.producerId);
      await conn.request('CLOSE_PRODUCER', { producerId: this.producerId }).catch(() => undefined);
    }
  }

  private transmit(batch: Batch): void {
    const conn = this.conn!;
    const generation = this.generation;
    try {
      batch.entry ??= Buffer.concat(encodeMessageBatch({ producerName: this.name, firstSequenceId: batch.first, publishTime: Date.now(), compression: this.compression }, batch.messages!));
    } catch (err) {
      // What the batch format cannot carry (too many properties, a key too long): those sends fail, nothing else.
      this.fail(batch, new InvalidArgumentError(`cannot send: ${(err as Error).message}`, { cause: err }));
      return;
    }
    batch.messages = undefined;
    conn.request('SEND', { producerId: this.producerId, payload: batch.entry }, this.sendTimeoutMs).then(
      (res) => {
        if (res.name !== 'SEND_RECEIPT') return;
        const { ledgerId, entryId, batchIndex } = res.value;
        this.settle(batch, (i) => (ledgerId < 0 ? MessageId.UNKNOWN : new MessageId(this.partition, ledgerId, entryId, batchIndex + i)));
      },
      (err: ClientError) => {
        if (batch.done || generation !== this.generation) return;
        if (err instanceof TimeoutError || !err.retriable) {
          this.fail(batch, err);
          if (err instanceof TimeoutError) this.startReconnect(err);
          return;
        }
        this.startReconnect(err);
      },
    );
  }

  private settle(batch: Batch, idOf: (i: number) => MessageId): void {
    if (batch.done) return;
    batch.done = true;
    this.remove(batch);
    for (let i = 0; i < batch.waiters.length; i++) batch.waiters[i]!.resolve(idOf(i));
  }

  private fail(batch: Batch, err: Error): void {
    if (batch.done) return;
    batch.done = true;
    this.remove(batch);
    for (const w of batch.waiters) w.reject(err);
  }

  private remove(batch: Batch): void {
    const i = this.inFlight.indexOf(batch);
    if (i >= 0) this.inFlight.splice(i, 1);
    this.onSettled(batch.waiters.length);
    if (this.inFlight.length === 0 && this.open.messages.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** `movedTo`: the binary URL the partition moved to, looked up first. */
  private startReconnect(reason: Error, movedTo = ''): void {
    if (this.current === 'closed' || this.reconnecting) return;
    this.client.log.info({ topic: this.topic, partition: this.partition, producer: this.name, reason: reason.message }, 'producer reconnecting');
    this.current = 'connecting';
    this.generation++;
    this.conn?.detach('producer', this.producerId);
    this.reconnecting = this.connect(movedTo)
      .catch((err: unknown) => {
        // Nothing can be sent: fail what waits, and keep trying for later sends unless the error is final.
        for (const b of [...this.inFlight]) this.fail(b, err as Error);
        if ((err as ClientError).retriable === false) this.current = 'closed';
        else setTimeout(() => this.startReconnect(err as Error), 1_000).unref();
      })
      .finally(() => {
        this.reconnecting = undefined;
      });
  }

  private async connect(movedTo = ''): Promise<void> {
    const firstAt = brokerHint(movedTo);
    const res = await this.client.retrying(`producer on ${this.topic}/${this.partition}`, async (seed) => {
      const conn = await this.client.lookup(this.topic, this.partition, firstAt.next() ?? seed);
      const producerId = conn.newId();
      const generation = this.generation;
      conn.attach('producer', producerId, {
        onMoved: (to) => generation === this.generation && this.startReconnect(new BrokerRequestError('OWNERSHIP_LOST', 'the partition moved'), to),
        onDisconnect: (err) => generation === this.generation && this.startReconnect(err),
      });
      try {
        const r = await conn.request('PRODUCER', { producerId, topic: this.topic, partition: this.partition, producerName: this.name });
        if (r.name !== 'PRODUCER_SUCCESS') throw new BrokerRequestError('INTERNAL', `unexpected ${r.name} to PRODUCER`);
        return { conn, producerId, value: r.value };
      } catch (err) {
        conn.detach('producer', producerId);
        throw err;
      }
    });
    if (this.current === 'closed') return;
    const first = this.name === '';
    this.conn = res.conn;
    this.producerId = res.producerId;
    this.name = res.value.producerName;
    // A new (or renamed) producer resumes after what its name stored; batches in flight keep their ids.
    if (first || this.inFlight.length === 0) this.nextSequenceId = Math.max(this.nextSequenceId, res.value.lastSequenceId + 1);
    this.current = 'ready';
    for (const b of [...this.inFlight]) {
      if (Date.now() - b.sentAt > this.sendTimeoutMs) this.fail(b, new TimeoutError(`batch not stored within ${this.sendTimeoutMs} ms`));
      else this.transmit(b);
    }
  }
}
