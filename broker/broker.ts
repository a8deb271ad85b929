// The broker: serves every topic through HTTP (http-api.md), owning the partitions it is asked about
// (interim rule until the load manager: an unowned partition is claimed by the broker asked), each
// partition's log on ledgers and its subscriptions. Registered under /brokers/{id} with a session.
import type net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createLogger, delay, type Logger } from '../common/index.js';
import { keys, jsonValue, parseJson, type MetadataStore, type PartitionRef, type Session } from '../metadata/index.js';
import type { LedgerClient } from '../ledger/index.js';
import { decodeMessageId, partitionForKey, type MessageId } from '../protocol/index.js';
import type { BrokerApi, IncomingMessage, PartitionStats, ProduceResult, ReceiveOptions, ReceivedMessage } from './http/broker-api.js';
import { buildHttpServer } from './http/http-server.js';
import { InvalidRequestError, NotReadyError, OwnershipLostError } from './errors.js';
import { TopicStore } from './topics/topic-store.js';
import type { TopicName } from './topics/topic-name.js';
import { claimPartition, releasePartition } from './ownership/partition-ownership.js';
import { Partition, type PartitionConfig } from './partition/partition.js';
import { BrokerMetrics } from './broker-metrics.js';
import type { ManagedLedgerConfig } from './managed-ledger/index.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './partition/retention.js';
import { BrokerTiering, type TieringConfig } from './tiering/broker-tiering.js';

export interface BrokerConfig {
  id: string;
  store: MetadataStore;
  ledgers: LedgerClient;
  httpHost?: string;
  httpPort: number;
  /** URLs other brokers and clients use; default from host and port. */
  advertisedHttpUrl?: string;
  binaryUrl?: string;
  sessionTtlMs?: number;
  managedLedger?: Partial<ManagedLedgerConfig>;
  maxUnackedPerSubscription?: number;
  /** Ack states larger than this go to a cursor ledger. Default 16 KiB. */
  cursorInlineMaxBytes?: number;
  bodyLimit?: number;
  /** Retention of acknowledged data (default 1 day / 10 GiB). */
  retention?: RetentionPolicy;
  /** Subscriptions with no consumer activity for this long expire. Default 7 days. */
  subscriptionExpiryMs?: number;
  /** How often owned partitions are maintained (age rolls, expiry, retention, tiering). Default 60 s. */
  maintenanceIntervalMs?: number;
  /** Tiering of closed ledgers to an object store; none when absent. */
  tiering?: TieringConfig;
  logger?: Logger;
  processMetrics?: boolean;
}

export class Broker implements BrokerApi {
  private readonly partitions = new Map<string, Promise<Partition>>();
  private readonly topics: TopicStore;
  private readonly roundRobin = new Map<string, number>();
  private ready = false;
  private stopping = false;
  readonly stats: BrokerMetrics;
  private readonly log: Logger;
  private http: FastifyInstance | undefined;
  private session: Session | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintaining = false;
  private tiering: BrokerTiering | undefined;

  private constructor(private readonly config: BrokerConfig) {
    this.topics = new TopicStore(config.store);
    this.stats = new BrokerMetrics({ processMetrics: config.processMetrics });
    this.log = config.logger ?? createLogger('broker', { brokerId: config.id });
  }

  static async start(config: BrokerConfig): Promise<Broker> {
    const broker = new Broker(config);
    await broker.listen();
    return broker;
  }

  get brokerId(): string {
    return this.config.id;
  }

  get httpUrl(): string {
    if (this.config.advertisedHttpUrl) return this.config.advertisedHttpUrl;
    const a = this.http!.server.address() as net.AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  private async listen(): Promise<void> {
    if (this.config.tiering) this.tiering = await BrokerTiering.start(this.config.tiering, this.config.ledgers, this.config.id, this.stats.registry, this.log);
    this.http = buildHttpServer(this, { bodyLimit: this.config.bodyLimit, logger: this.log });
    await this.http.listen({ host: this.config.httpHost ?? '127.0.0.1', port: this.config.httpPort });
    this.session = await this.config.store.createSession({ ttlMs: this.config.sessionTtlMs ?? 6000 });
    this.session.on('expired', () => this.onSessionExpired());
    await this.register();
    this.ready = true;
    this.maintenanceTimer = setInterval(() => void this.maintain(), this.config.maintenanceIntervalMs ?? 60_000);
    this.maintenanceTimer.unref();
    this.log.info({ httpUrl: this.httpUrl }, 'broker serving');
  }

  private async register(): Promise<void> {
    const value = jsonValue({ httpUrl: this.httpUrl, binaryUrl: this.config.binaryUrl ?? '', startedAt: Date.now() });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.config.store.put(keys.broker(this.config.id), value, { expectedVersion: 'absent', session: this.session });
        return;
      } catch (err) {
        if (attempt > 100) throw err;
        // A registration left by a previous process of this id vanishes with its session.
        await delay(200);
      }
    }
  }

  private onSessionExpired(): void {
    this.log.error('broker session expired: releasing every partition');
    this.ready = false;
    void this.unloadAll().then(async () => {
      if (this.stopping) return;
      this.session = await this.config.store.createSession({ ttlMs: this.config.sessionTtlMs ?? 6000 });
      this.session.on('expired', () => this.onSessionExpired());
      await this.register();
      this.ready = true;
    });
  }

  /** Health details: readiness, owned partitions and the tiering lag. */
  health(): Record<string, unknown> {
    return { ready: this.isReady(), partitions: this.partitions.size, ...(this.tiering ? { tiering: this.tiering.status() } : {}) };
  }

  isReady(): boolean {
    return this.ready && !this.stopping;
  }

  private assertReady(): void {
    if (!this.isReady()) throw new NotReadyError(`broker ${this.config.id} is not serving`);
  }

  /** The loaded partition, claiming and loading it on first use. */
  private partition(p: PartitionRef): Promise<Partition> {
    this.assertReady();
    const id = `${p.topic}/${p.partition}`;
    let loaded = this.partitions.get(id);
    if (!loaded) {
      loaded = this.load(p);
      this.partitions.set(id, loaded);
      loaded.then(
        () => this.stats.ownedPartitions.set(this.partitions.size),
        () => this.partitions.delete(id),
      );
    }
    return loaded;
  }

  private async load(p: PartitionRef): Promise<Partition> {
    const claim = await claimPartition(this.config.store, this.session!, this.config.id, p);
    if (!claim.owned) throw new OwnershipLostError(`partition ${p.topic}/${p.partition} is owned by broker ${claim.owner}`);
    const config: PartitionConfig = {
      managedLedger: this.config.managedLedger ?? {},
      maxUnackedPerSubscription: this.config.maxUnackedPerSubscription ?? 10_000,
      dedupSnapshotEvery: 1000,
      cursorInlineMaxBytes: this.config.cursorInlineMaxBytes,
    };
    try {
      const tiering = this.tiering;
      const deps = {
        store: this.config.store,
        ledgers: this.config.ledgers,
        log: this.log,
        openClosedLedger: tiering ? (id: number) => tiering.openClosedLedger(id) : undefined,
        deleteLedger: tiering ? (id: number) => tiering.deleteLedger(id) : undefined,
      };
      return await Partition.load(deps, p, claim.epoch, config);
    } catch (err) {
      await releasePartition(this.config.store, claim.epoch);
      throw err;
    }
  }

  // ---- admin ----

  createTopic(name: TopicName, partitions: number): Promise<'created' | 'exists'> {
    this.assertReady();
    return this.topics.create(name, partitions);
  }

  listTopics(tenant: string, namespace: string): Promise<Array<{ name: string; partitions: number }>> {
    this.assertReady();
    return this.topics.list(tenant, namespace);
  }

  async topicStats(name: TopicName): Promise<{ name: string; partitions: number; stats: PartitionStats[] }> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    const stats: PartitionStats[] = [];
    for (let i = 0; i < partitions; i++) {
      const ref = { topic: name.full, partition: i };
      const owner = await this.config.store.get(keys.ownership(ref));
      const loaded = this.partitions.get(`${name.full}/${i}`);
      const partition = loaded ? await loaded.catch(() => undefined) : undefined;
      const ledgerList = partition ? partition.ml.ledgers : [];
      const subscriptions: Record<string, { backlog: number }> = {};
      if (partition) {
        for (const sub of await partition.subscriptionNames()) subscriptions[sub] = { backlog: (await partition.subscription(sub)).backlogEntries() };
      }
      stats.push({
        partition: i,
        owner: owner ? parseJson<{ brokerId: string }>(owner.value).brokerId : null,
        msgIn: partition?.msgIn ?? 0,
        bytesIn: partition?.bytesIn ?? 0,
        ledgers: ledgerList.map((l) => ({ id: l.ledgerId, entries: l.entries ?? null, state: l.entries === undefined ? 'OPEN' : 'CLOSED', offloaded: l.offloaded ?? false })),
        subscriptions,
      });
    }
    return { name: name.full, partitions, stats };
  }

  /** Deletes every partition's ledgers, cursors and dedup state, then the topic. */
  async deleteTopic(name: TopicName): Promise<void> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    for (let i = 0; i < partitions; i++) {
      const ref = { topic: name.full, partition: i };
      const partition = await this.partition(ref);
      await partition.close();
      this.partitions.delete(`${name.full}/${i}`);
      for (const l of partition.ml.ledgers) await partition.ml.deleteLedger(l.ledgerId);
      const { entries } = await this.config.store.list(keys.cursors(ref));
      await this.config.store.txn({
        compares: [{ key: partition.epoch.key, createRevision: partition.epoch.createRevision }],
        ops: [
          ...entries.map((e) => ({ type: 'delete' as const, key: e.key })),
          { type: 'delete', key: keys.dedup(ref) },
          { type: 'delete', key: keys.partition(ref) },
          { type: 'delete', key: keys.ownership(ref) },
        ],
      });
    }
    await this.topics.delete(name);
    this.stats.ownedPartitions.set(this.partitions.size);
  }

  async brokers(): Promise<Array<{ id: string; httpUrl: string; binaryUrl: string; partitions: number }>> {
    const [{ entries }, owned] = await Promise.all([this.config.store.list(keys.brokers), this.config.store.list(keys.ownerships)]);
    const counts = new Map<string, number>();
    for (const o of owned.entries) {
      const b = parseJson<{ brokerId: string }>(o.value).brokerId;
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    return entries.map((e) => {
      const id = e.key.slice(keys.brokers.length);
      const v = parseJson<{ httpUrl: string; binaryUrl: string }>(e.value);
      return { id, httpUrl: v.httpUrl, binaryUrl: v.binaryUrl, partitions: counts.get(id) ?? 0 };
    });
  }

  async bookies(): Promise<Array<{ id: string; address: string }>> {
    const { entries } = await this.config.store.list(keys.bookies);
    return entries.map((e) => ({ id: e.key.slice(keys.bookies.length), address: parseJson<{ address: string }>(e.value).address }));
  }

  async ownership(): Promise<Array<{ topic: string; partition: number; broker: string }>> {
    const { entries } = await this.config.store.list(keys.ownerships);
    return entries.map((e) => {
      const path = e.key.slice(keys.ownerships.length);
      const cut = path.lastIndexOf('/');
      return { topic: path.slice(0, cut), partition: Number(path.slice(cut + 1)), broker: parseJson<{ brokerId: string }>(e.value).brokerId };
    });
  }

  // ---- messages ----

  async produce(name: TopicName, producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    const byPartition = new Map<number, number[]>();
    messages.forEach((m, i) => {
      const p = m.key !== undefined ? partitionForKey(m.key, partitions) : this.nextPartition(name.full, partitions);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push(i);
    });
    const results: ProduceResult[] = new Array(messages.length);
    await Promise.all(
      [...byPartition].map(async ([p, indexes]) => {
        try {
          const partition = await this.partition({ topic: name.full, partition: p });
          const stored = await partition.produce(producer, indexes.map((i) => messages[i]!));
          stored.forEach((r, j) => (results[indexes[j]!] = r));
        } catch (err) {
          const e = err as { code?: string; message?: string };
          for (const i of indexes) results[i] = { partition: p, error: { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) } };
        }
      }),
    );
    let stored = 0;
    for (const r of results) if (!('error' in r)) stored++;
    this.stats.messagesIn.inc(stored);
    return results;
  }

  private nextPartition(topic: string, partitions: number): number {
    const n = this.roundRobin.get(topic) ?? Math.floor(Math.random() * partitions);
    this.roundRobin.set(topic, n + 1);
    return n % partitions;
  }

  async receive(name: TopicName, subscription: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    const subs = await Promise.all(Array.from({ length: partitions }, async (_, i) => (await this.partition({ topic: name.full, partition: i })).subscription(subscription)));
    const deadline = Date.now() + options.waitMs;
    const start = this.nextPartition(`${name.full}#${subscription}`, partitions);
    for (;;) {
      const out: ReceivedMessage[] = [];
      for (let k = 0; k < partitions && out.length < options.max; k++) {
        const sub = subs[(start + k) % partitions]!;
        const taken = await sub.take(options.max - out.length, options.visibilityMs);
        if (taken.length === 0 && sub.unacked >= (this.config.maxUnackedPerSubscription ?? 10_000)) this.stats.dispatchPaused.inc();
        out.push(...taken);
      }
      const left = deadline - Date.now();
      if (out.length > 0 || left <= 0 || !this.isReady()) {
        this.stats.messagesOut.inc(out.length);
        return out;
      }
      // Wait for a new entry on any partition, or for the next visibility deadline, within the wait.
      const partitionsLoaded = await Promise.all(Array.from({ length: partitions }, (_, i) => this.partition({ topic: name.full, partition: i })));
      const nextDeadline = Math.min(...subs.map((s) => s.nextDeadline() ?? Infinity));
      const wait = Math.max(1, Math.min(left, nextDeadline - Date.now()));
      await Promise.race(partitionsLoaded.map((p) => p.ml.waitForEntries(p.ml.lastConfirmedPosition, wait)));
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

  async ack(name: TopicName, subscription: string, ids: string[]): Promise<number> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    let acked = 0;
    for (const [p, list] of this.parseIds(ids, partitions)) {
      const sub = await (await this.partition({ topic: name.full, partition: p })).subscription(subscription);
      acked += await sub.ack(list);
    }
    this.stats.acks.inc(acked);
    return acked;
  }

  async nack(name: TopicName, subscription: string, ids: string[]): Promise<number> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    let n = 0;
    for (const [p, list] of this.parseIds(ids, partitions)) {
      const sub = await (await this.partition({ topic: name.full, partition: p })).subscription(subscription);
      n += sub.nack(list);
    }
    return n;
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.stats.registry.contentType, body: await this.stats.registry.metrics() };
  }

  /** Age rolls, subscription expiry and retention on every loaded partition. */
  async maintain(): Promise<void> {
    if (this.maintaining || !this.isReady()) return;
    this.maintaining = true;
    try {
      for (const loaded of [...this.partitions.values()]) {
        const partition = await loaded.catch(() => undefined);
        if (!partition) continue;
        await partition
          .maintain(this.config.retention ?? DEFAULT_RETENTION, this.config.subscriptionExpiryMs ?? 7 * 24 * 60 * 60 * 1000)
          .catch((err: unknown) => this.log.warn({ err, partition: partition.ref }, 'partition maintenance failed'));
        await this.tiering?.schedule(partition.ml).catch((err: unknown) => this.log.warn({ err, partition: partition.ref }, 'tiering scheduling failed'));
      }
    } finally {
      this.maintaining = false;
    }
  }

  private async unloadAll(): Promise<void> {
    const all = [...this.partitions.values()];
    this.partitions.clear();
    for (const p of all) {
      const partition = await p.catch(() => undefined);
      if (!partition) continue;
      await partition.close().catch((err: unknown) => this.log.warn({ err, partition: partition.ref }, 'closing a partition failed'));
      await releasePartition(this.config.store, partition.epoch);
    }
    this.stats.ownedPartitions.set(0);
  }

  /** Stops serving: closes every partition's log cleanly, releases ownership and the registration. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.maintenanceTimer);
    await this.http?.close();
    await this.unloadAll();
    await this.tiering?.close();
    await this.session?.close().catch(() => undefined);
    this.log.info('broker stopped');
  }
}
