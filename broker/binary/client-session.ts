// One binary-protocol connection on the broker side: the handshake, heartbeats, and the producers and consumers
// the client opened on it. Frames are decoded from the schema; a malformed frame is answered with an ERROR frame
// and closes this connection only. Requests that fail get an ERROR frame with their requestId.
//
// States: awaiting-connect --CONNECT--> connected --close/error/peer gone--> closed.
import type { Socket } from 'node:net';
import type { Logger } from '../../common/index.js';
import {
  CONNECTION_REQUEST_ID,
  decodeCommand,
  encodeCommand,
  encodeError,
  FrameConnection,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  ProtocolError,
  wireErrors,
  type ClientCommandName,
  type CommandValue,
  type DecodedCommand,
  type Frame,
} from '../../protocol/index.js';
import type { PartitionRef } from '../../metadata/index.js';
import { InvalidRequestError, NotSupportedError, ProducerBusyError } from '../errors.js';
import type { Partition } from '../partition/partition.js';
import type { ConsumerSink, Dispatcher, PushedEntry, SubscriptionType } from '../subscriptions/dispatcher.js';
import { checkName, parseTopicName } from '../topics/topic-name.js';
import { batchSizeAt, positionAtTime } from '../subscriptions/seek-target.js';
import type { BinaryBrokerApi } from './binary-broker-api.js';

export type ClientSessionState = 'awaiting-connect' | 'connected' | 'closed';

export interface ClientSessionOptions {
  heartbeatIntervalMs: number;
  maxFrameSize: number;
  /** Sends in flight on one connection above which reading from it pauses (TCP pushes back). */
  maxInFlightSends: number;
  metrics: BinaryMetrics;
  log: Logger;
}

/** Counters the binary path feeds (the broker's Prometheus metrics). */
export interface BinaryMetrics {
  stored(messages: number, bytes: number): void;
  pushed(messages: number): void;
  acked(messages: number): void;
  connections(delta: number): void;
}

interface OpenProducer {
  partition: Partition;
  name: string;
  /** Holds the producer name on the partition: one per producer, so a name is never open twice. */
  holder: object;
  forget: () => void;
}

interface OpenConsumer {
  partition: Partition;
  dispatcher: Dispatcher;
  sink: ConsumerSink;
  subscription: string;
  durable: boolean;
  forget: () => void;
}

type Reply = { [N in ClientCommandName]: { name: N; value: CommandValue<N> } }[ClientCommandName];

const SUBSCRIPTION_TYPES: Record<number, SubscriptionType | undefined> = { 0: 'exclusive', 1: 'failover', 2: 'shared', 3: 'key_shared' };
const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class ClientSession {
  private current: ClientSessionState = 'awaiting-connect';
  private readonly conn: FrameConnection;
  private readonly producers = new Map<number, OpenProducer>();
  private readonly consumers = new Map<number, OpenConsumer>();
  private lastReceived = Date.now();
  private lastSent = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private inFlightSends = 0;
  private readingPaused = false;
  private waitingForDrain = false;
  private pingId = 0;
  readonly closed: Promise<void>;

  constructor(
    socket: Socket,
    private readonly api: BinaryBrokerApi,
    private readonly options: ClientSessionOptions,
  ) {
    this.conn = new FrameConnection(socket, { onFrame: (frame) => this.onFrame(frame), maxFrameSize: options.maxFrameSize });
    this.closed = this.conn.closed.then((err) => this.onClosed(err));
    this.heartbeat = setInterval(() => this.checkHeartbeat(), options.heartbeatIntervalMs);
    this.heartbeat.unref();
    options.metrics.connections(1);
  }

  get state(): ClientSessionState {
    return this.current;
  }

  private isClosed(): boolean {
    return this.current === 'closed';
  }

  /** Closes the connection (the broker stops): clients reconnect elsewhere. */
  close(): void {
    this.conn.close();
  }

  private onFrame(frame: Frame): void {
    this.lastReceived = Date.now();
    let command: DecodedCommand;
    try {
      command = decodeCommand(frame);
    } catch (err) {
      this.fail(err instanceof ProtocolError ? err.code : 'MALFORMED_FRAME', (err as Error).message);
      return;
    }
    if (this.current === 'awaiting-connect') {
      if (command.name !== 'CONNECT') return this.fail('NOT_CONNECTED', `expected CONNECT first, got ${command.name}`);
      return this.connect(command.requestId, command.value);
    }
    if (command.name === 'CONNECT') return this.fail('NOT_CONNECTED', 'CONNECT was already received');
    this.dispatch(command);
  }

  private connect(requestId: number, { minVersion, maxVersion }: CommandValue<'CONNECT'>): void {
    const version = Math.min(maxVersion, PROTOCOL_VERSION);
    if (version < Math.max(minVersion, MIN_PROTOCOL_VERSION)) {
      return this.fail('UNSUPPORTED_VERSION', `the client speaks versions ${minVersion}..${maxVersion}, this broker ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION}`);
    }
    this.current = 'connected';
    this.send(
      encodeCommand('CONNECTED', requestId, {
        version,
        brokerId: this.api.brokerId,
        maxFrameSize: this.options.maxFrameSize,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      }),
    );
  }

  private dispatch(command: DecodedCommand): void {
    const { requestId } = command;
    switch (command.name) {
      case 'PING':
        return this.reply(requestId, { name: 'PONG', value: {} });
      case 'PONG':
      case 'CONNECTED':
        return;
      case 'FLOW': {
        const c = this.consumers.get(command.value.consumerId);
        c?.dispatcher.flow(c.sink, command.value.permits);
        return;
      }
      case 'SEND':
        return this.onSend(requestId, command.value);
      case 'LOOKUP':
        return this.answer(requestId, async () => {
          const r = await this.api.lookup(this.partitionRef(command.value.topic, command.value.partition));
          return { name: 'LOOKUP_RESPONSE', value: r };
        });
      case 'PARTITION_METADATA':
        return this.answer(requestId, async () => ({ name: 'PARTITION_METADATA_RESPONSE', value: { partitions: await this.api.partitionCount(command.value.topic) } }));
      case 'PRODUCER':
        return this.answer(requestId, () => this.openProducer(command.value));
      case 'SUBSCRIBE':
        return this.answer(requestId, () => this.subscribe(command.value));
      case 'ACK':
        return this.answer(requestId, async () => {
          const c = this.consumer(command.value.consumerId);
          if (command.value.cumulative && command.value.positions.length !== 1) throw new InvalidRequestError('a cumulative ack names exactly one position');
          const acked = await c.dispatcher.ack(c.sink, command.value.positions, command.value.cumulative);
          this.options.metrics.acked(acked);
          return { name: 'ACK_RESPONSE', value: { acked } };
        });
      case 'NACK':
        return this.answer(requestId, () => {
          const c = this.consumer(command.value.consumerId);
          return Promise.resolve({ name: 'NACK_RESPONSE', value: { redelivered: c.dispatcher.nack(c.sink, command.value.positions) } });
        });
      case 'SEEK':
        return this.answer(requestId, async () => {
          const c = this.consumer(command.value.consumerId);
          const v = command.value;
          const ml = c.partition.ml;
          const target = v.ledgerId >= 0 ? { ledgerId: v.ledgerId, entryId: Math.max(0, v.entryId), batchIndex: v.batchIndex } : await positionAtTime(ml, Math.max(0, v.publishTime));
          await c.dispatcher.seek(target, await batchSizeAt(ml, target));
          return { name: 'SEEK_RESPONSE', value: {} };
        });
      case 'UNSUBSCRIBE':
        return this.answer(requestId, async () => {
          const c = this.consumer(command.value.consumerId);
          if (!c.durable) throw new InvalidRequestError('a reader has no subscription to delete');
          await c.partition.unsubscribe(c.subscription, c.sink);
          this.dropConsumer(command.value.consumerId);
          return { name: 'UNSUBSCRIBE_RESPONSE', value: {} };
        });
      case 'CLOSE_PRODUCER':
        return this.answer(requestId, () => {
          this.dropProducer(command.value.producerId);
          return Promise.resolve({ name: 'CLOSE_PRODUCER_RESPONSE', value: {} });
        });
      case 'CLOSE_CONSUMER':
        return this.answer(requestId, () => {
          this.dropConsumer(command.value.consumerId);
          return Promise.resolve({ name: 'CLOSE_CONSUMER_RESPONSE', value: {} });
        });
      default:
        return this.fail('MALFORMED_FRAME', `${command.name} is not sent by clients`);
    }
  }

  /** SEND is handled without an await before the append, so batches are stored in the order they arrived. */
  private onSend(requestId: number, { producerId, payload }: CommandValue<'SEND'>): void {
    const producer = this.producers.get(producerId);
    if (!producer) return this.replyError(requestId, 'BAD_REQUEST', `no producer ${producerId} on this connection`);
    this.inFlightSends++;
    if (this.inFlightSends >= this.options.maxInFlightSends && !this.readingPaused) {
      this.readingPaused = true;
      this.conn.pauseReading();
    }
    producer.partition.storeProducerBatch(producer.name, payload).then(
      (r) => {
        this.sendSettled();
        if (!r.duplicate) this.options.metrics.stored(r.messages, payload.length);
        const p = r.position;
        this.send(encodeCommand('SEND_RECEIPT', requestId, { duplicate: r.duplicate, ledgerId: p?.ledgerId ?? -1, entryId: p?.entryId ?? -1, batchIndex: p?.batchIndex ?? 0 }));
      },
      (err: unknown) => {
        this.sendSettled();
        this.replyFailure(requestId, err);
      },
    );
  }

  private sendSettled(): void {
    this.inFlightSends--;
    if (this.readingPaused && this.inFlightSends < this.options.maxInFlightSends / 2) {
      this.readingPaused = false;
      this.conn.resumeReading();
    }
  }

  private async openProducer({ producerId, topic, partition, producerName }: CommandValue<'PRODUCER'>): Promise<Reply> {
    if (this.producers.has(producerId)) throw new InvalidRequestError(`producer id ${producerId} is in use on this connection`);
    const served = await this.api.servedPartition(this.partitionRef(topic, partition));
    const name = producerName === '' ? generatedName(this.api.brokerId) : producerName;
    const holder = {};
    if (!served.claimProducerName(name, holder)) throw new ProducerBusyError(`producer ${name} is connected to ${topic}/${partition} already`);
    if (this.isClosed() || this.producers.has(producerId)) {
      served.releaseProducerName(name, holder);
      throw new InvalidRequestError(`producer id ${producerId} is in use on this connection`);
    }
    const forget = served.onGone((to) => this.moved(0, producerId, to?.binaryUrl ?? ''));
    this.producers.set(producerId, { partition: served, name, holder, forget });
    return { name: 'PRODUCER_SUCCESS', value: { producerName: name, lastSequenceId: served.lastSequenceId(name) } };
  }

  private async subscribe(v: CommandValue<'SUBSCRIBE'>): Promise<Reply> {
    if (this.consumers.has(v.consumerId)) throw new InvalidRequestError(`consumer id ${v.consumerId} is in use on this connection`);
    const type = SUBSCRIPTION_TYPES[v.type];
    if (type === undefined) throw new NotSupportedError(`subscription type ${v.type} is not supported by this broker (0 exclusive, 1 failover, 2 shared, 3 key_shared)`);
    if (v.initialPosition > 1) throw new InvalidRequestError(`initialPosition ${v.initialPosition} is not 0 (latest) or 1 (earliest)`);
    if (v.durable) checkName('subscription', v.subscription);
    const partition = await this.api.servedPartition(this.partitionRef(v.topic, v.partition));
    if (this.isClosed()) throw new InvalidRequestError('the connection closed');
    const consumerId = v.consumerId;
    const sink = this.sinkFor(consumerId, v.consumerName);
    const initial = v.initialPosition === 1 ? 'earliest' : 'latest';
    let dispatcher: Dispatcher;
    let active = true;
    if (v.durable) {
      ({ dispatcher, active } = await partition.attachConsumer(sink, v.subscription, type, initial));
    } else {
      const start = v.startLedgerId >= 0 ? { ledgerId: v.startLedgerId, entryId: v.startEntryId < 0 ? 0 : v.startEntryId, batchIndex: v.startBatchIndex } : initial;
      dispatcher = partition.openReader(sink, start);
    }
    if (this.isClosed() || this.consumers.has(consumerId)) {
      dispatcher.detach(sink);
      throw new InvalidRequestError(`consumer id ${consumerId} is in use on this connection`);
    }
    const forget = partition.onGone((to) => this.moved(1, consumerId, to?.binaryUrl ?? ''));
    this.consumers.set(consumerId, { partition, dispatcher, sink, subscription: v.subscription, durable: v.durable, forget });
    return { name: 'SUBSCRIBE_SUCCESS', value: { active } };
  }

  private sinkFor(consumerId: number, name: string): ConsumerSink {
    const conn = this.conn;
    return {
      name,
      get writable() {
        return conn.isOpen && conn.writable;
      },
      push: (e: PushedEntry, messages: number) => {
        this.options.metrics.pushed(messages);
        this.send(
          encodeCommand('MESSAGE', 0, {
            consumerId,
            ledgerId: e.position.ledgerId,
            entryId: e.position.entryId,
            redeliveryCount: e.redeliveryCount,
            ackedIndexes: e.ackedIndexes ? Buffer.from(e.ackedIndexes.buffer, e.ackedIndexes.byteOffset, e.ackedIndexes.byteLength) : Buffer.alloc(0),
            payload: e.data,
          }),
        );
        if (!conn.writable) this.resumeWhenDrained();
      },
      activeChanged: (active: boolean) => {
        this.send(encodeCommand('ACTIVE_CONSUMER_CHANGE', 0, { consumerId, active }));
      },
    };
  }

  private resumeWhenDrained(): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.conn.drained().then(
      () => {
        this.waitingForDrain = false;
        for (const c of this.consumers.values()) c.dispatcher.resume();
      },
      () => undefined,
    );
  }

  private consumer(id: number): OpenConsumer {
    const c = this.consumers.get(id);
    if (!c) throw new InvalidRequestError(`no consumer ${id} on this connection`);
    return c;
  }

  /**
   * The partition went elsewhere: the producer or consumer is closed here and the client told to look again —
   * at `binaryUrl` first when the partition moved there ('' when unknown).
   */
  private moved(kind: 0 | 1, id: number, binaryUrl: string): void {
    if (kind === 0) this.dropProducer(id);
    else this.dropConsumer(id);
    if (this.current === 'connected') this.send(encodeCommand('TOPIC_MOVED', 0, { kind, id, binaryUrl }));
  }

  private dropProducer(id: number): void {
    const p = this.producers.get(id);
    if (!p) return;
    this.producers.delete(id);
    p.forget();
    p.partition.releaseProducerName(p.name, p.holder);
  }

  private dropConsumer(id: number): void {
    const c = this.consumers.get(id);
    if (!c) return;
    this.consumers.delete(id);
    c.forget();
    c.dispatcher.detach(c.sink);
  }

  private partitionRef(topic: string, partition: number): PartitionRef {
    return { topic: parseTopicName(topic).full, partition };
  }

  private answer(requestId: number, run: () => Promise<Reply>): void {
    run().then(
      (r) => this.reply(requestId, r),
      (err: unknown) => this.replyFailure(requestId, err),
    );
  }

  private reply(requestId: number, r: Reply): void {
    this.send(encodeCommand(r.name, requestId, r.value as never));
  }

  private replyFailure(requestId: number, err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const known = typeof code === 'string' && code in wireErrors ? code : code === 'INVALID_ACK' ? 'BAD_REQUEST' : 'INTERNAL';
    if (known === 'INTERNAL') this.options.log.warn({ err }, 'binary request failed');
    this.replyError(requestId, known, (err as Error).message ?? String(err));
  }

  private replyError(requestId: number, code: string, message: string): void {
    this.send(encodeError(requestId, { code, message }));
  }

  private send(frame: Buffer[]): void {
    if (!this.conn.isOpen) return;
    this.lastSent = Date.now();
    this.conn.send(frame);
  }

  /** A connection-level error: one ERROR frame, then the connection closes. */
  private fail(code: string, message: string): void {
    this.send(encodeError(CONNECTION_REQUEST_ID, { code, message }));
    this.conn.close();
  }

  private checkHeartbeat(): void {
    const now = Date.now();
    const interval = this.options.heartbeatIntervalMs;
    if (now - this.lastReceived > 3 * interval) return this.fail('HEARTBEAT_TIMEOUT', `nothing received for ${now - this.lastReceived} ms`);
    if (this.current === 'connected' && now - this.lastSent >= interval) {
      this.pingId = (this.pingId % 0x7fffffff) + 1;
      this.send(encodeCommand('PING', this.pingId, {}));
    }
  }

  private onClosed(err: Error | undefined): void {
    this.current = 'closed';
    clearInterval(this.heartbeat);
    this.options.metrics.connections(-1);
    for (const id of [...this.producers.keys()]) this.dropProducer(id);
    for (const id of [...this.consumers.keys()]) this.dropConsumer(id);
    if (err && !(err instanceof ProtocolError)) this.options.log.debug({ err }, 'binary connection closed');
  }
}

/** A producer name unique across brokers and restarts: the broker id plus random characters. */
function generatedName(brokerId: string): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return `${brokerId}-${s}`;
}
