// The broker: serves every topic through HTTP (http-api.md). Partitions it owns it serves itself;
// requests for partitions owned by another broker are forwarded there (retried once after an
// ownership change). Registered under /brokers/{id} with a session.
import type net from 'node:net';
import type tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { Histogram, type Counter } from 'prom-client';
import { createLogger, delay, type Logger } from '../common/index.js';
import { keys, jsonValue, parseJson, type MetadataStore, type PartitionRef, type Session } from '../metadata/index.js';
import { AutoRecovery, type AutoRecoveryOptions, type LedgerClient } from '../ledger/index.js';
import { decodeMessageId } from '../protocol/index.js';
import type { BrokerApi, IncomingMessage, PartitionStats, ProduceResult, ReceiveOptions, ReceivedMessage } from './http/broker-api.js';
import type { InternalBrokerApi } from './http/internal-routes.js';
import { buildHttpServer } from './http/http-server.js';
import { InvalidRequestError, NotOwnerError, NotReadyError, OwnershipLostError, PartitionUnavailableError } from './errors.js';
import { BinaryServer, type BinaryBrokerApi, type LookupResult } from './binary/index.js';
import { parseTopicName } from './topics/topic-name.js';
import { TopicStore } from './topics/topic-store.js';
import type { TopicName } from './topics/topic-name.js';
import type { Partition } from './partition/partition.js';
import { BrokerMetrics } from './broker-metrics.js';
import type { ManagedLedgerConfig } from './managed-ledger/index.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './partition/retention.js';
import { BrokerTiering, type TieringConfig } from './tiering/broker-tiering.js';
import { PartitionRouter, type Route } from './routing/partition-router.js';
import { forward } from './routing/forward-client.js';
import { SessionKeeper } from './ownership/session-keeper.js';
import { TopicMessaging } from './messaging/topic-messaging.js';
import { PlacementCoordinator, PlacementStore, type Move } from './placement/index.js';
import { LeaderElection, LoadManager, LoadReporter, type LoadCounters, type LoadPlanOptions, type LoadView } from './load/index.js';
import { listBookies, listBrokers, listOwnership, type BookieListing, type BrokerListing, type OwnershipListing } from './admin/cluster-view.js';

export interface BrokerConfig {
  id: string;
  store: MetadataStore;
  ledgers: LedgerClient;
  httpHost?: string;
  httpPort: number;
  /** URLs other brokers and clients use; default from host and port. */
  advertisedHttpUrl?: string;
  /** Binary protocol listener; none when undefined. Binds httpHost's address unless binaryHost is set. */
  binaryPort?: number;
  binaryHost?: string;
  /** TLS for the binary listener (key, cert, …). */
  binaryTls?: tls.TlsOptions;
  /** The binary URL other brokers and clients use; default strata://host:port of the listener. */
  binaryUrl?: string;
  /** Binary protocol heartbeat interval. Default 30 s. */
  heartbeatIntervalMs?: number;
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
  /** Partitions loading at once at most. Default 16. */
  loadConcurrency?: number;
  /** Tiering of closed ledgers to an object store; none when absent. */
  tiering?: TieringConfig;
  /** Re-replication of under-replicated closed ledgers (one runner across the brokers); none when absent. */
  autoRecovery?: Pick<AutoRecoveryOptions, 'graceMs' | 'intervalMs' | 'maxFragmentsPerRound'>;
  /** Load manager: how often load is reported (and the leader checked). Default 5 s. */
  loadReportIntervalMs?: number;
  /** Time between load shedding rounds of the leader; 0 = no shedding. Default 60 s. */
  loadSheddingIntervalMs?: number;
  /** Tuning of placement and shedding (tests make it quick). */
  loadPlan?: Partial<LoadPlanOptions>;
  logger?: Logger;
  processMetrics?: boolean;
}

const internal = (p: PartitionRef) => `/internal/v1/partitions/${p.topic}/${p.partition}`;

export class Broker implements BrokerApi, InternalBrokerApi, BinaryBrokerApi {
  private readonly topics: TopicStore;
  private readonly messaging: TopicMessaging;
  private ready = false;
  private stopping = false;
  readonly stats: BrokerMetrics;
  private readonly log: Logger;
  private http: FastifyInstance | undefined;
  private sessions!: SessionKeeper;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintaining = false;
  private tiering: BrokerTiering | undefined;
  private router!: PartitionRouter;
  private readonly placement: PlacementStore;
  private readonly coordinator: PlacementCoordinator;
  private binary: BinaryServer | undefined;
  private readonly autoRecovery: AutoRecovery | undefined;
  private readonly election: LeaderElection;
  private readonly reporter: LoadReporter;
  private readonly loadManager: LoadManager;

  private constructor(private readonly config: BrokerConfig) {
    this.topics = new TopicStore(config.store);
    this.stats = new BrokerMetrics({ processMetrics: config.processMetrics });
    this.log = config.logger ?? createLogger('broker', { brokerId: config.id });
    this.placement = new PlacementStore(config.store);
    this.autoRecovery = config.autoRecovery && new AutoRecovery(config.ledgers, { ...config.autoRecovery, runner: config.id, sessionTtlMs: config.sessionTtlMs, registry: this.stats.registry, logger: this.log });
    this.coordinator = new PlacementCoordinator({ store: config.store, placement: this.placement, local: this, registry: this.stats.registry, log: this.log });
    const loadInterval = config.loadReportIntervalMs ?? 5_000;
    this.election = new LeaderElection(config.store, { brokerId: config.id, httpUrl: () => this.httpUrl }, () => this.sessions?.session, Math.min(loadInterval, 1_000), this.log);
    this.reporter = new LoadReporter(config.id, config.store, () => this.sessions?.session, this.loadCounters(), loadInterval, this.log);
    this.loadManager = new LoadManager({
      brokerId: config.id,
      store: config.store,
      placement: this.placement,
      election: this.election,
      move: (moves) => this.coordinator.move(moves),
      sheddingIntervalMs: config.loadSheddingIntervalMs ?? 60_000,
      roundMs: loadInterval,
      options: config.loadPlan,
      log: this.log,
    });
    this.messaging = new TopicMessaging({
      topics: this.topics,
      stats: this.stats,
      log: this.log,
      maxUnackedPerSubscription: config.maxUnackedPerSubscription ?? 10_000,
      isReady: () => this.isReady(),
      assertReady: () => this.assertReady(),
      onPartition: (p, local, remote) => this.onPartition(p, local, remote),
    });
  }

  private loadCounters(): LoadCounters {
    const total = async (c: Counter): Promise<number> => (await c.get()).values.reduce((s, v) => s + v.value, 0);
    return {
      partitions: () => this.router?.size ?? 0,
      messagesIn: () => total(this.stats.messagesIn),
      messagesOut: () => total(this.stats.messagesOut),
      bytesIn: () => total(this.stats.bytesIn),
    };
  }

  static async start(config: BrokerConfig): Promise<Broker> {
    const broker = new Broker(config);
    await broker.listen();
    return broker;
  }

  get brokerId(): string {
    return this.config.id;
  }

  /** strata://host:port of the binary listener, '' when there is none. */
  get binaryUrl(): string {
    if (this.config.binaryUrl) return this.config.binaryUrl;
    if (!this.binary) return '';
    const a = this.binary.address;
    return `${this.binary.tls ? 'strata+tls' : 'strata'}://${a.address}:${a.port}`;
  }

  get httpUrl(): string {
    if (this.config.advertisedHttpUrl) return this.config.advertisedHttpUrl;
    const a = this.http!.server.address() as net.AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  private async listen(): Promise<void> {
    if (this.config.tiering) this.tiering = await BrokerTiering.start(this.config.tiering, this.config.ledgers, this.config.id, this.stats.registry, this.log);
    const tiering = this.tiering;
    this.router = new PartitionRouter({
      brokerId: this.config.id,
      store: this.config.store,
      placement: this.placement,
      placementFor: (p) => this.loadManager.placementFor(p),
      session: () => this.sessions.session,
      partitionDeps: {
        ledgers: this.config.ledgers,
        log: this.log,
        openClosedLedger: tiering ? (id: number) => tiering.openClosedLedger(id) : undefined,
        deleteLedger: tiering ? (id: number) => tiering.deleteLedger(id) : undefined,
        dispatchPaused: () => this.stats.dispatchPaused.inc(),
      },
      partitionConfig: {
        managedLedger: this.config.managedLedger ?? {},
        maxUnackedPerSubscription: this.config.maxUnackedPerSubscription ?? 10_000,
        dedupSnapshotEvery: 1000,
        cursorInlineMaxBytes: this.config.cursorInlineMaxBytes,
      },
      loadConcurrency: this.config.loadConcurrency ?? 16,
      loadOperations: new Histogram({
        name: 'strata_broker_partition_load_metadata_operations',
        help: 'metadata store operations on the partition keys (ownership, ledger list, dedup, cursors) during one partition load; the ledger client operations that create or recover ledgers are not included',
        buckets: [2, 5, 10, 20, 50, 100, 200, 500],
        registers: [this.stats.registry],
      }),
      onLoadedCountChanged: (n) => this.stats.ownedPartitions.set(n),
      log: this.log,
    });
    this.http = buildHttpServer(this, { bodyLimit: this.config.bodyLimit, logger: this.log, internal: this, autoRecovery: this.autoRecovery });
    await this.http.listen({ host: this.config.httpHost ?? '127.0.0.1', port: this.config.httpPort });
    if (this.config.binaryPort !== undefined) {
      this.binary = await BinaryServer.start(this, {
        host: this.config.binaryHost ?? this.config.httpHost ?? '127.0.0.1',
        port: this.config.binaryPort,
        tls: this.config.binaryTls,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        metrics: this.stats.binary,
        log: this.log,
      });
    }
    this.sessions = new SessionKeeper(
      this.config.store,
      this.config.sessionTtlMs ?? 6000,
      {
        register: (session) => this.register(session),
        rebindAll: (session) => this.rebindAll(session),
        abandonAll: (reason) => void this.abandonAll(reason),
      },
      this.log,
    );
    // A drain lasts until the broker starts again.
    await this.placement.clearDraining(this.config.id);
    await this.register(await this.sessions.start());
    this.ready = true;
    this.maintenanceTimer = setInterval(() => void this.maintain(), this.config.maintenanceIntervalMs ?? 60_000);
    this.maintenanceTimer.unref();
    this.autoRecovery?.start();
    this.reporter.start();
    this.election.start();
    this.loadManager.start();
    this.log.info({ httpUrl: this.httpUrl, binaryUrl: this.binaryUrl }, 'broker serving');
  }

  private async register(session: Session): Promise<void> {
    const value = jsonValue({ httpUrl: this.httpUrl, binaryUrl: this.binaryUrl, session: session.id });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.config.store.put(keys.broker(this.config.id), value, { expectedVersion: 'absent', session });
        return;
      } catch (err) {
        // Registered by an earlier attempt for this same session (its answer was lost): done.
        if ((await this.config.store.get(keys.broker(this.config.id)).catch(() => undefined))?.value.equals(value)) return;
        if (attempt > 100) throw err;
        // A registration left by a previous process of this id vanishes with its session.
        await delay(200);
      }
    }
  }

  /** After a new session: each partition takes its ownership key again, or is let go. */
  private async rebindAll(session: Session): Promise<void> {
    const value = jsonValue({ brokerId: this.config.id, session: session.id });
    for (const partition of await this.router.all()) {
      if (await partition.ml.rebind(session, value)) continue;
      this.log.warn({ partition: partition.ref }, 'another broker took the partition while the session was lost: letting go');
      partition.ml.abandon(new OwnershipLostError(`partition ${partition.ref.topic}/${partition.ref.partition} moved to another broker`));
      this.router.drop(partition.ref);
    }
  }

  /** Lets go of every partition without writing to the store (it is unreachable). */
  private async abandonAll(reason: string): Promise<void> {
    this.log.error({ reason }, 'letting go of every partition');
    for (const partition of await this.router.all()) {
      partition.ml.abandon(new OwnershipLostError(`partition ${partition.ref.topic}/${partition.ref.partition} let go: ${reason}`));
      this.router.drop(partition.ref);
    }
  }

  /** Health details: readiness, owned partitions and the tiering lag. */
  health(): Record<string, unknown> {
    return { ready: this.isReady(), partitions: this.router.size, ...(this.tiering ? { tiering: this.tiering.status() } : {}) };
  }

  isReady(): boolean {
    return this.ready && !this.stopping;
  }

  private assertReady(): void {
    if (!this.isReady()) throw new NotReadyError(`broker ${this.config.id} is not serving`);
  }

  /**
   * Runs `local` where this broker serves `p`, or `remote` against its owner; a retriable failure
   * (the partition moved, the owner died) is retried once after looking the owner up again.
   */
  private async onPartition<T>(p: PartitionRef, local: (partition: Partition) => Promise<T>, remote: (url: string) => Promise<T>, claim = true): Promise<T> {
    this.assertReady();
    for (let attempt = 0; ; attempt++) {
      let route: Route | undefined;
      try {
        route = await this.router.route(p, { claim });
        return route.kind === 'local' ? await local(route.partition) : await remote(route.url);
      } catch (err) {
        // Retried once only when the partition moved (or its owner is gone); a local partition is
        // forgotten only when this broker lost it, never for a passing failure such as the store.
        const moved = err instanceof OwnershipLostError || (route?.kind === 'remote' && (err as { retriable?: boolean }).retriable === true);
        if (attempt > 0 || !moved) throw err;
        if (route?.kind === 'local') this.router.drop(p);
      }
    }
  }

  /**
   * Serves `p` here only if this broker owns it, or with `claim` if the claim rule gives an unowned `p` to
   * this broker (internal routes: another broker sent the request here; never forward it again).
   */
  private async owned(p: PartitionRef, claim = true): Promise<Partition> {
    this.assertReady();
    const route = await this.router.route(p, { claim });
    if (route.kind !== 'local') throw new NotReadyError(`partition ${p.topic}/${p.partition} is served by broker ${route.brokerId}`);
    return route.partition;
  }

  // ---- the binary protocol (binary/) ----

  async partitionCount(topic: string): Promise<number> {
    this.assertReady();
    return (await this.topics.get(parseTopicName(topic))).partitions;
  }

  async lookup(p: PartitionRef): Promise<LookupResult> {
    await this.checkPartitionExists(p);
    const route = await this.router.route(p, { claim: true });
    if (route.kind === 'local') return { here: true, brokerId: this.config.id, binaryUrl: this.binaryUrl, httpUrl: this.httpUrl };
    return { here: false, brokerId: route.brokerId, binaryUrl: route.binaryUrl, httpUrl: route.url };
  }

  async servedPartition(p: PartitionRef): Promise<Partition> {
    await this.checkPartitionExists(p);
    const route = await this.router.route(p, { claim: true });
    if (route.kind === 'local') return route.partition;
    throw new NotOwnerError(`partition ${p.topic}/${p.partition} is served by broker ${route.brokerId} at ${route.binaryUrl || route.url}`);
  }

  private async checkPartitionExists(p: PartitionRef): Promise<void> {
    const partitions = await this.partitionCount(p.topic);
    if (p.partition >= partitions) throw new InvalidRequestError(`topic ${p.topic} has ${partitions} partitions; there is no partition ${p.partition}`);
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
      const p = { topic: name.full, partition: i };
      const owner = await this.config.store.get(keys.ownership(p));
      if (!owner) {
        stats.push({ partition: i, owner: null, msgIn: 0, bytesIn: 0, ledgers: [], subscriptions: {} });
        continue;
      }
      stats.push(
        await this.onPartition(
          p,
          (partition) => partition.stats(this.config.id),
          (url) => forward<PartitionStats>(url, 'GET', `${internal(p)}/stats`),
          false,
        ).catch(() => ({ partition: i, owner: parseJson<{ brokerId: string }>(owner.value).brokerId, msgIn: 0, bytesIn: 0, ledgers: [], subscriptions: {} })),
      );
    }
    return { name: name.full, partitions, stats };
  }

  /** Deletes every partition's ledgers, objects, cursors and dedup state, then the topic. */
  async deleteTopic(name: TopicName): Promise<void> {
    this.assertReady();
    const { partitions } = await this.topics.get(name);
    for (let i = 0; i < partitions; i++) {
      const p = { topic: name.full, partition: i };
      await this.onPartition(
        p,
        async (partition) => {
          await partition.deleteAll();
          this.router.drop(p);
        },
        (url) => forward<void>(url, 'DELETE', internal(p)),
      );
    }
    await this.topics.delete(name);
  }

  brokers(): Promise<BrokerListing[]> {
    return listBrokers(this.config.store);
  }

  bookies(): Promise<BookieListing[]> {
    return listBookies(this.config.store);
  }

  ownership(): Promise<OwnershipListing[]> {
    return listOwnership(this.config.store);
  }

  rebalance(): Promise<Move[]> {
    this.assertReady();
    return this.coordinator.rebalance();
  }

  drain(brokerId: string): Promise<Move[]> {
    this.assertReady();
    return this.coordinator.drain(brokerId);
  }

  // ---- messages (messaging/topic-messaging.ts) ----

  produce(name: TopicName, producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]> {
    return this.messaging.produce(name, producer, messages);
  }

  receive(name: TopicName, subscription: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    return this.messaging.receive(name, subscription, options);
  }

  ack(name: TopicName, subscription: string, ids: string[]): Promise<number> {
    return this.messaging.ackOrNack('ack', name, subscription, ids);
  }

  nack(name: TopicName, subscription: string, ids: string[]): Promise<number> {
    return this.messaging.ackOrNack('nack', name, subscription, ids);
  }

  // ---- the internal API other brokers forward to (served only for partitions owned here) ----

  async localProduce(p: PartitionRef, producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]> {
    return (await this.owned(p)).produce(producer, messages);
  }

  async localReceive(p: PartitionRef, subscription: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const sub = await (await this.owned(p)).subscription(subscription);
    return sub.take(options.max, options.visibilityMs);
  }

  async localAck(p: PartitionRef, subscription: string, ids: string[], action: 'ack' | 'nack'): Promise<number> {
    const sub = await (await this.owned(p)).subscription(subscription);
    const list = ids.map((s) => decodeMessageId(s));
    return action === 'ack' ? sub.ack(list) : sub.nack(list);
  }

  async localStats(p: PartitionRef): Promise<PartitionStats> {
    return (await this.owned(p, false)).stats(this.config.id);
  }

  async localDelete(p: PartitionRef): Promise<void> {
    await (await this.owned(p)).deleteAll();
    this.router.drop(p);
  }

  /** A move: closes the partition cleanly and releases it, telling its clients it went to `to` at `binaryUrl`. */
  localUnload(p: PartitionRef, to: string, binaryUrl: string): Promise<boolean> {
    return this.router.unload(p, { brokerId: to, binaryUrl });
  }

  /** A move's target: claims and loads `p` (assigned here); resolves once it serves. */
  /** The target side of a move: the partition is assigned here (the mover did so already) and loaded. */
  async localLoad(p: PartitionRef): Promise<void> {
    await this.checkPartitionExists(p);
    await this.placement.assign(p, this.config.id);
    await this.owned(p);
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.stats.registry.contentType, body: await this.stats.registry.metrics() };
  }

  /** Age rolls, subscription expiry, retention and tiering on every loaded partition. */
  async maintain(): Promise<void> {
    if (this.maintaining || !this.isReady()) return;
    this.maintaining = true;
    try {
      for (const partition of await this.router.all()) {
        await partition
          .maintain(this.config.retention ?? DEFAULT_RETENTION, this.config.subscriptionExpiryMs ?? 7 * 24 * 60 * 60 * 1000)
          .catch((err: unknown) => this.log.warn({ err, partition: partition.ref }, 'partition maintenance failed'));
        await this.tiering?.schedule(partition.ml).catch((err: unknown) => this.log.warn({ err, partition: partition.ref }, 'tiering scheduling failed'));
      }
    } finally {
      this.maintaining = false;
    }
  }

  async load(): Promise<LoadView> {
    return this.loadManager.view();
  }

  async placePartition(p: PartitionRef): Promise<string | undefined> {
    if (!this.election.isLeader) throw new PartitionUnavailableError(`broker ${this.config.id} is not the load manager leader`);
    return this.loadManager.place(p);
  }

  /** Stops serving: closes every partition's log cleanly, releases ownership and the registration. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.maintenanceTimer);
    this.loadManager.stop();
    this.election.stop();
    this.reporter.stop();
    await this.http?.close();
    await this.router.unloadAll();
    await this.binary?.close();
    await this.tiering?.close();
    await this.autoRecovery?.stop();
    await this.sessions.stop();
    this.log.info('broker stopped');
  }
}
