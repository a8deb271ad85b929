// The consumer of one partition: subscribes on the partition's broker, grants permits as the application takes
// messages (FLOW at half the receiver queue), unpacks pushed batches into messages, and sends acks (coalesced
// per tick into one ACK) and nacks. After a failure or a move it looks the partition up again, drops what it had
// queued but not handed out (the broker delivers it again), resubscribes and resends unanswered acks.
import { batchPayload, decodeMessageBatchHeader, decodeMessages, type CommandValue, type WirePosition } from '../protocol/index.js';
import { brokerHint } from './broker-url.js';
import type { ClientConnection } from './client-connection.js';
import { BrokerRequestError, ClosedError, ConnectionError, type ClientError } from './errors.js';
import { MessageId, type Message } from './message.js';
import type { ClientContext } from './client-context.js';

export type SubscriptionType = 'exclusive' | 'failover' | 'shared' | 'key_shared';
export type InitialPosition = 'earliest' | 'latest';

export interface PartitionConsumerConfig {
  topic: string;
  partition: number;
  subscription: string;
  type: SubscriptionType;
  initialPosition: InitialPosition;
  consumerName: string;
  receiverQueueSize: number;
  /** A reader: no durable subscription, starting at `start`. */
  reader?: { start: MessageId | InitialPosition; startTime?: number };
}

/** What the topic-level consumer provides: the shared queue of received messages. */
export interface MessageSink {
  deliver(message: Message, generation: number): void;
  /** Drops queued messages of this partition older than `generation` (they will be delivered again). */
  dropQueued(partition: number, generation: number): void;
  activeChanged(partition: number, active: boolean): void;
}

interface PendingAck {
  position: WirePosition;
  resolve(): void;
  reject(err: Error): void;
}

const ACK_RETRY_MS = 500;
const TYPE_CODES: Record<SubscriptionType, number> = { exclusive: 0, failover: 1, shared: 2, key_shared: 3 };

export class PartitionConsumer {
  private conn: ClientConnection | undefined;
  private consumerId = 0;
  generation = 0;
  private consumedSinceFlow = 0;
  private closed = false;
  private reconnecting: Promise<void> | undefined;
  private acks: PendingAck[] = [];
  private ackScheduled = false;
  private unsent: Array<{ cumulative: boolean; items: PendingAck[] }> = [];
  /** Where a reader continues after a reconnect: just after the last message handed out. */
  private lastDelivered: MessageId | undefined;
  active = false;

  constructor(
    private readonly client: ClientContext,
    private readonly config: PartitionConsumerConfig,
    private readonly sink: MessageSink,
  ) {}

  get partition(): number {
    return this.config.partition;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  /** The application took `n` messages of the current generation: grant permits again at half the queue. */
  consumed(message: Message, generation: number): void {
    if (this.config.reader) this.lastDelivered = message.id;
    if (generation !== this.generation) return;
    this.returnPermits(1);
  }

  /** Counts messages the application is done with; grants the broker permits again at half the queue. */
  private returnPermits(n: number): void {
    this.consumedSinceFlow += n;
    if (this.consumedSinceFlow >= Math.max(1, this.config.receiverQueueSize >> 1) && this.conn?.isOpen) {
      this.conn.notify('FLOW', { consumerId: this.consumerId, permits: this.consumedSinceFlow });
      this.consumedSinceFlow = 0;
    }
  }

  ack(message: Message): Promise<void> {
    return this.queueAck(message, false);
  }

  ackCumulative(message: Message): Promise<void> {
    return this.queueAck(message, true);
  }

  /** Asks for redelivery of these messages' entries (a nack or an ack timeout). */
  async nack(messages: readonly Message[]): Promise<void> {
    if (this.closed || !this.conn?.isOpen || messages.length === 0) return;
    const positions = messages.map((m) => ({ ledgerId: m.id.ledgerId, entryId: m.id.entryId, batchIndex: m.id.batchIndex, batchSize: m.batchSize }));
    await this.conn.request('NACK', { consumerId: this.consumerId, positions }).catch(() => undefined);
  }

  async unsubscribe(): Promise<void> {
    const res = await this.conn?.request('UNSUBSCRIBE', { consumerId: this.consumerId });
    if (res && res.name !== 'UNSUBSCRIBE_RESPONSE') throw new BrokerRequestError('INTERNAL', `unexpected ${res.name} to UNSUBSCRIBE`);
    this.closed = true;
    this.conn?.detach('consumer', this.consumerId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const conn = this.conn;
    conn?.detach('consumer', this.consumerId);
    if (conn?.isOpen) await conn.request('CLOSE_CONSUMER', { consumerId: this.consumerId }).catch(() => undefined);
    const closed = new ClosedError('consumer closed before the ack was answered');
    for (const a of this.acks.splice(0)) a.reject(closed);
    for (const batch of this.unsent.splice(0)) batch.items.forEach((i) => i.reject(closed));
  }

  private queueAck(message: Message, cumulative: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('consumer is closed'));
    const position = { ledgerId: message.id.ledgerId, entryId: message.id.entryId, batchIndex: message.id.batchIndex, batchSize: message.batchSize };
    return new Promise<void>((resolve, reject) => {
      const item = { position, resolve, reject };
      if (cumulative) {
        this.sendAcks({ cumulative: true, items: [item] });
        return;
      }
      this.acks.push(item);
      if (!this.ackScheduled) {
        this.ackScheduled = true;
        setImmediate(() => {
          this.ackScheduled = false;
          const items = this.acks.splice(0);
          if (items.length > 0) this.sendAcks({ cumulative: false, items });
        });
      }
    });
  }

  /** Sends one ACK; kept for resending while the consumer reconnects, failed only by a non-retriable error. */
  private sendAcks(batch: { cumulative: boolean; items: PendingAck[] }): void {
    const conn = this.conn;
    if (!conn?.isOpen || this.reconnecting) {
      this.unsent.push(batch);
      return;
    }
    conn.request('ACK', { consumerId: this.consumerId, cumulative: batch.cumulative, positions: batch.items.map((i) => i.position) }).then(
      () => batch.items.forEach((i) => i.resolve()),
      (err: ClientError) => {
        if (!err.retriable || this.closed) {
          batch.items.forEach((i) => i.reject(err));
          return;
        }
        // Retried: with the next connection, or after a pause while this one stays up (e.g. STORE_UNAVAILABLE).
        this.unsent.push(batch);
        if (conn.isOpen) setTimeout(() => this.resendUnsent(), ACK_RETRY_MS).unref();
      },
    );
  }

  private resendUnsent(): void {
    if (this.reconnecting || this.closed) return;
    for (const batch of this.unsent.splice(0)) this.sendAcks(batch);
  }

  private onMessage(v: CommandValue<'MESSAGE'>, generation: number): void {
    if (generation !== this.generation) return;
    const header = decodeMessageBatchHeader(v.payload);
    let messages;
    try {
      messages = decodeMessages(batchPayload(header), header.messageCount);
    } catch (err) {
      // A batch this client cannot read (a codec it does not know): skipped, not acked, reported.
      this.client.log.error({ err, topic: this.config.topic, partition: this.config.partition, entry: `${v.ledgerId}:${v.entryId}` }, 'cannot decode a message batch');
      // Its permits come back, so the partition does not stall behind it.
      let skipped = 0;
      for (let i = 0; i < header.messageCount; i++) if (v.ackedIndexes.length > i >> 3 && (v.ackedIndexes[i >> 3]! & (1 << (i & 7))) !== 0) skipped++;
      this.returnPermits(header.messageCount - skipped);
      return;
    }
    const skip = v.ackedIndexes;
    for (let i = 0; i < messages.length; i++) {
      if (skip.length > i >> 3 && (skip[i >> 3]! & (1 << (i & 7))) !== 0) continue;
      const m = messages[i]!;
      this.sink.deliver(
        {
          id: new MessageId(this.config.partition, v.ledgerId, v.entryId, i),
          topic: this.config.topic,
          partition: this.config.partition,
          key: m.key,
          value: m.value,
          properties: m.properties,
          publishTime: header.publishTime,
          eventTime: m.eventTime,
          producerName: header.producerName,
          sequenceId: header.firstSequenceId < 0 ? -1 : header.firstSequenceId + i,
          redeliveryCount: v.redeliveryCount,
          batchSize: header.messageCount,
        },
        generation,
      );
    }
  }

  /** `movedTo`: the binary URL the partition moved to, looked up first. */
  private startReconnect(reason: Error, movedTo = ''): void {
    if (this.closed || this.reconnecting) return;
    this.client.log.info({ topic: this.config.topic, partition: this.config.partition, reason: reason.message }, 'consumer reconnecting');
    this.conn?.detach('consumer', this.consumerId);
    this.active = false;
    this.reconnecting = this.connect(movedTo)
      .catch((err: unknown) => {
        if ((err as ClientError).retriable === false) {
          this.client.log.error({ err, topic: this.config.topic }, 'consumer cannot resubscribe');
          return;
        }
        setTimeout(() => this.startReconnect(err as Error), 1_000).unref();
      })
      .finally(() => {
        this.reconnecting = undefined;
        for (const batch of this.unsent.splice(0)) this.sendAcks(batch);
      });
  }

  private async connect(movedTo = ''): Promise<void> {
    this.generation++;
    const generation = this.generation;
    this.sink.dropQueued(this.config.partition, generation);
    const { topic, partition, subscription, type, initialPosition, consumerName, reader } = this.config;
    const start = reader ? (this.lastDelivered ? new MessageId(partition, this.lastDelivered.ledgerId, this.lastDelivered.entryId, this.lastDelivered.batchIndex + 1) : reader.start) : undefined;
    const firstAt = brokerHint(movedTo);
    const res = await this.client.retrying(`subscribe to ${topic}/${partition}`, async (seed) => {
      const conn = await this.client.lookup(topic, partition, firstAt.next() ?? seed);
      const consumerId = conn.newId();
      conn.attach('consumer', consumerId, {
        onMessage: (v) => this.onMessage(v, generation),
        onActiveChange: (active) => {
          this.active = active;
          this.sink.activeChanged(partition, active);
        },
        onMoved: (to) => generation === this.generation && this.startReconnect(new BrokerRequestError('OWNERSHIP_LOST', 'the partition moved'), to),
        onDisconnect: (err) => generation === this.generation && this.startReconnect(err),
      });
      try {
        const r = await conn.request('SUBSCRIBE', {
          consumerId,
          topic,
          partition,
          subscription,
          type: TYPE_CODES[type],
          initialPosition: initialPosition === 'earliest' ? 1 : 0,
          consumerName,
          durable: reader === undefined,
          startLedgerId: start instanceof MessageId ? start.ledgerId : -1,
          startEntryId: start instanceof MessageId ? start.entryId : -1,
          startBatchIndex: start instanceof MessageId ? start.batchIndex : 0,
        });
        if (r.name !== 'SUBSCRIBE_SUCCESS') throw new BrokerRequestError('INTERNAL', `unexpected ${r.name} to SUBSCRIBE`);
        return { conn, consumerId, active: r.value.active };
      } catch (err) {
        conn.detach('consumer', consumerId);
        throw err;
      }
    });
    if (this.closed) {
      res.conn.detach('consumer', res.consumerId);
      await res.conn.request('CLOSE_CONSUMER', { consumerId: res.consumerId }).catch(() => undefined);
      return;
    }
    this.conn = res.conn;
    this.consumerId = res.consumerId;
    this.active = res.active;
    this.consumedSinceFlow = 0;
    // A reader from a publish time seeks there before it asks for anything (unless it is resuming).
    const startTime = reader?.startTime;
    if (startTime !== undefined && !this.lastDelivered) await this.seekOnBroker({ time: startTime });
    this.conn.notify('FLOW', { consumerId: this.consumerId, permits: this.config.receiverQueueSize });
  }

  /**
   * Moves the subscription (or reader) to a message or a publish time. Messages queued here and not yet handed
   * out are dropped; the broker pushes from the new position once this grants permits again.
   */
  async seek(target: { id: MessageId } | { time: number }): Promise<void> {
    if (this.closed) throw new ClosedError('consumer is closed');
    await this.seekOnBroker(target);
    if (this.config.reader) {
      this.lastDelivered = undefined;
      this.config.reader.start = 'id' in target ? target.id : 'earliest';
      this.config.reader.startTime = 'time' in target ? target.time : undefined;
    }
    this.sink.dropQueued(this.config.partition, Number.POSITIVE_INFINITY);
    this.consumedSinceFlow = 0;
    this.conn!.notify('FLOW', { consumerId: this.consumerId, permits: this.config.receiverQueueSize });
  }

  private async seekOnBroker(target: { id: MessageId } | { time: number }): Promise<void> {
    const conn = this.conn;
    if (!conn?.isOpen) throw new ConnectionError('not connected: seek again after the consumer reconnected');
    const id = 'id' in target ? target.id : undefined;
    const res = await conn.request('SEEK', {
      consumerId: this.consumerId,
      ledgerId: id ? id.ledgerId : -1,
      entryId: id ? id.entryId : -1,
      batchIndex: id ? id.batchIndex : 0,
      publishTime: 'time' in target ? target.time : -1,
    });
    if (res.name !== 'SEEK_RESPONSE') throw new BrokerRequestError('INTERNAL', `unexpected ${res.name} to SEEK`);
  }
}
