// The entry point of the client library: connect(url | urls) gives a StrataClient that keeps one connection per
// broker, looks partitions up (following redirects to the owner) and opens producers, consumers and readers.
import type tls from 'node:tls';
import { Backoff, delay } from '../common/index.js';
import { parseBrokerUrl, type BrokerAddress } from './broker-url.js';
import { ClientConnection } from './client-connection.js';
import { silentClientLogger, type ClientLogger } from './client-logger.js';
import { AbortedError, BrokerRequestError, ClosedError, ConnectionError, InvalidArgumentError, type ClientError } from './errors.js';
import { Producer, type ProducerOptions } from './producer.js';
import { Consumer, type ConsumerOptions, type ReaderOptions } from './consumer.js';
import type { ClientContext } from './client-context.js';

export interface ClientOptions {
  /** Connect timeout per attempt. Default 10 s. */
  connectTimeoutMs?: number;
  /** Timeout of one request (lookup, subscribe, …; sends have the producer's own). Default 30 s. */
  requestTimeoutMs?: number;
  /** How long an operation keeps retrying lookups and reconnects before it fails. Default 60 s. */
  operationTimeoutMs?: number;
  /** TLS options for strata+tls:// URLs (ca, cert, key, …). */
  tls?: tls.ConnectionOptions;
  logger?: ClientLogger;
  /** Reported to the broker for its logs. */
  clientName?: string;
}

/** Connects to a Strata cluster through one or more brokers' binary URLs (strata://host:port). */
export async function connect(urls: string | readonly string[], options: ClientOptions = {}): Promise<StrataClient> {
  const list = typeof urls === 'string' ? [urls] : [...urls];
  if (list.length === 0) throw new InvalidArgumentError('connect() needs at least one broker URL');
  const client = new StrataClient(list.map(parseBrokerUrl), options);
  // Reachable through any one of the URLs; the error of the last one if none answers.
  let lastError: unknown;
  for (const seed of client.seeds) {
    try {
      await client.connection(seed);
      return client;
    } catch (err) {
      lastError = err;
      if ((err as ClientError).retriable === false) break;
    }
  }
  await client.close();
  throw lastError;
}

export class StrataClient implements ClientContext {
  readonly log: ClientLogger;
  readonly requestTimeoutMs: number;
  readonly operationTimeoutMs: number;
  private readonly connections = new Map<string, Promise<ClientConnection>>();
  private readonly closables = new Set<{ close(): Promise<void> }>();
  private seedIndex = 0;
  private closed = false;

  constructor(
    readonly seeds: readonly BrokerAddress[],
    private readonly options: ClientOptions,
  ) {
    this.log = options.logger ?? silentClientLogger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 60_000;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The open connection to a broker, opened on first use (and again after it closed). */
  connection(address: BrokerAddress): Promise<ClientConnection> {
    if (this.closed) return Promise.reject(new ClosedError('the client is closed'));
    const existing = this.connections.get(address.url);
    if (existing) return existing;
    const opening = ClientConnection.open(address, {
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      requestTimeoutMs: this.requestTimeoutMs,
      tls: this.options.tls,
      clientName: this.options.clientName ?? 'strata-ts',
      log: this.log,
    });
    this.connections.set(address.url, opening);
    opening.then(
      (c) => void c.closed.then(() => this.connections.get(address.url) === opening && this.connections.delete(address.url)),
      () => this.connections.get(address.url) === opening && this.connections.delete(address.url),
    );
    return opening;
  }

  /**
   * Runs `attempt` against some broker until it succeeds, a non-retriable error occurs, or the operation timeout
   * passes; between attempts it backs off with jitter and moves to the next seed broker.
   */
  async retrying<T>(what: string, attempt: (seed: BrokerAddress) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const deadline = Date.now() + this.operationTimeoutMs;
    const backoff = new Backoff({ initialMs: 50, maxMs: 2_000 });
    for (;;) {
      if (this.closed) throw new ClosedError('the client is closed');
      if (signal?.aborted) throw new AbortedError(`${what} aborted`, { cause: signal.reason });
      const seed = this.seeds[this.seedIndex % this.seeds.length]!;
      try {
        return await attempt(seed);
      } catch (err) {
        const retriable = (err as ClientError).retriable === true;
        if (!retriable || Date.now() >= deadline || this.closed) throw err;
        this.log.debug({ err, what }, 'retrying');
        if (err instanceof ConnectionError) this.seedIndex++;
        await delay(backoff.next());
      }
    }
  }

  /** The connection to the broker serving a partition, following LOOKUP redirects from a seed broker. */
  async lookup(topic: string, partition: number, seed: BrokerAddress): Promise<ClientConnection> {
    let conn = await this.connection(seed);
    for (let hops = 0; hops < 4; hops++) {
      const res = await conn.request('LOOKUP', { topic, partition });
      if (res.name !== 'LOOKUP_RESPONSE') throw new ConnectionError(`unexpected ${res.name} to LOOKUP`);
      if (res.value.here) return conn;
      if (res.value.binaryUrl === '') throw new BrokerRequestError('PARTITION_UNAVAILABLE', `broker ${res.value.brokerId} owns ${topic}/${partition} but has no binary listener`);
      conn = await this.connection(parseBrokerUrl(res.value.binaryUrl));
    }
    throw new BrokerRequestError('PARTITION_UNAVAILABLE', `lookup of ${topic}/${partition} kept being redirected`);
  }

  /** The number of partitions of a topic (TOPIC_NOT_FOUND if it does not exist). */
  partitionCount(topic: string, signal?: AbortSignal): Promise<number> {
    return this.retrying(
      `partition metadata of ${topic}`,
      async (seed) => {
        const res = await (await this.connection(seed)).request('PARTITION_METADATA', { topic });
        if (res.name !== 'PARTITION_METADATA_RESPONSE') throw new ConnectionError(`unexpected ${res.name} to PARTITION_METADATA`);
        return res.value.partitions;
      },
      signal,
    );
  }

  /** Opens a producer on a topic (all its partitions). */
  async producer(options: ProducerOptions): Promise<Producer> {
    const producer = await Producer.create(this, options);
    this.track(producer);
    return producer;
  }

  /** Opens a consumer on a subscription of a topic (all its partitions). */
  async consumer(options: ConsumerOptions): Promise<Consumer> {
    const consumer = await Consumer.create(this, options);
    this.track(consumer);
    return consumer;
  }

  /** Opens a reader: messages from a start position on, without a durable subscription. */
  async reader(options: ReaderOptions): Promise<Consumer> {
    const reader = await Consumer.createReader(this, options);
    this.track(reader);
    return reader;
  }

  private track(c: { close(): Promise<void> }): void {
    this.closables.add(c);
  }

  /** @internal A producer or consumer closed by its owner. */
  untrack(c: { close(): Promise<void> }): void {
    this.closables.delete(c);
  }

  /** Closes every producer (after flushing), consumer and connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const c of [...this.closables]) await c.close().catch(() => undefined);
    this.closed = true;
    for (const c of this.connections.values()) void c.then((conn) => conn.close(), () => undefined);
    this.connections.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
