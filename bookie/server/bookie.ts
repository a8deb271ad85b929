// The bookie process: verifies its cookie, replays its journal into ledger storage, serves the bookie
// protocol, checkpoints periodically, and registers itself for writers to find.
import net from 'node:net';
import type http from 'node:http';
import path from 'node:path';
import fs from 'node:fs/promises';
import { createLogger, type Logger } from '../../common/index.js';
import type { MetadataStore } from '../../metadata/index.js';
import { BookieStatus, type InfoResponse } from '../../protocol/index.js';
import { Journal, type JournalOptions } from '../journal/index.js';
import { LedgerStorage, type LedgerStorageOptions } from '../storage/index.js';
import { verifyCookie, type Cookie } from '../cookie/index.js';
import { BookieCore } from './bookie-core.js';
import { BookieConnection } from './bookie-connection.js';
import { BookieMetrics } from './bookie-metrics.js';
import { BookieRegistration } from './bookie-registration.js';
import { startMetricsServer } from './metrics-server.js';

export const STRATA_VERSION = '0.1.0';

export interface BookieConfig {
  id: string;
  dataDir: string;
  store: MetadataStore;
  /** Listen host; default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  /** The address writers use; default host:port. */
  advertisedAddress?: string;
  /** Metrics HTTP port; 0 picks one, undefined runs none. */
  metricsPort?: number;
  sessionTtlMs?: number;
  /** How often storage is checkpointed and the journal trimmed. Default 1 s: each checkpoint's work (index records of the entries since the last one) stays small. */
  checkpointIntervalMs?: number;
  journal?: Omit<JournalOptions, 'replay' | 'onSync' | 'logger'>;
  storage?: LedgerStorageOptions;
  logger?: Logger;
  /** Registers default process metrics (CPU, memory) too; off when several bookies share a process. */
  processMetrics?: boolean;
}

export class Bookie {
  private checkpointTimer: NodeJS.Timeout | undefined;
  private checkpointing: Promise<void> | undefined;
  private stopped = false;
  private readonly connections = new Set<BookieConnection>();

  private constructor(
    readonly config: BookieConfig,
    readonly cookie: Cookie,
    private readonly journal: Journal,
    private readonly storage: LedgerStorage,
    readonly core: BookieCore,
    readonly metrics: BookieMetrics,
    private readonly server: net.Server,
    private readonly metricsServer: http.Server | undefined,
    private readonly registration: BookieRegistration,
    private readonly log: Logger,
  ) {}

  static async start(config: BookieConfig): Promise<Bookie> {
    const log = config.logger ?? createLogger('bookie', { bookieId: config.id });
    const host = config.host ?? '127.0.0.1';
    const cookie = await verifyCookie(config.store, config.id, config.dataDir);
    const metrics = new BookieMetrics({ processMetrics: config.processMetrics });
    const storage = await LedgerStorage.open(path.join(config.dataDir, 'ledgers'), config.storage);
    let replayed = 0;
    let journal: Journal;
    try {
      journal = await Journal.open(path.join(config.dataDir, 'journal'), {
        ...config.journal,
        logger: log,
        replay: async (record) => {
          replayed++;
          if (record.type === 'addEntry') await storage.addEntry(record.ledgerId, record.entryId, record.payload);
          else if (record.type === 'fence') storage.setFenced(record.ledgerId);
          else storage.deleteLedger(record.ledgerId);
        },
        onSync: (s) => {
          metrics.journalSyncSeconds.observe(s.syncMicros / 1e6);
          metrics.journalBatchRecords.observe(s.records);
          metrics.journalBatchBytes.observe(s.bytes);
        },
      });
    } catch (err) {
      await storage.close().catch(() => undefined);
      throw err;
    }
    // What was replayed becomes durable in storage at once, so the next start replays little.
    await storage.checkpoint();
    await journal.checkpoint(journal.syncedPosition);
    log.info({ replayed, summary: journal.replaySummary }, 'journal replayed');

    const core = new BookieCore(journal, storage, cookie, metrics);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, host, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const metricsServer = config.metricsPort === undefined ? undefined : await startMetricsServer(metrics.registry, host, config.metricsPort);
    const metricsUrl = metricsServer ? `http://${host}:${(metricsServer.address() as net.AddressInfo).port}/metrics` : undefined;
    const address = config.advertisedAddress ?? `${host}:${port}`;
    const registration = new BookieRegistration(config.store, config.id, { address, metricsUrl, instanceId: cookie.instanceId }, config.sessionTtlMs ?? 6000, log);
    const bookie = new Bookie(config, cookie, journal, storage, core, metrics, server, metricsServer, registration, log);
    server.on('connection', (socket) => bookie.accept(socket));
    try {
      await registration.start();
    } catch (err) {
      await bookie.stop();
      throw err;
    }
    bookie.scheduleCheckpoints(config.checkpointIntervalMs ?? 1000);
    log.info({ address, metricsUrl, instanceId: cookie.instanceId }, 'bookie serving');
    return bookie;
  }

  /** host:port of the bookie protocol. */
  get address(): string {
    const a = this.server.address() as net.AddressInfo;
    return this.config.advertisedAddress ?? `${a.address}:${a.port}`;
  }

  get metricsUrl(): string | undefined {
    const a = this.metricsServer?.address() as net.AddressInfo | undefined;
    return a ? `http://${a.address}:${a.port}/metrics` : undefined;
  }

  private accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const conn = new BookieConnection(socket, {
      core: this.core,
      metrics: this.metrics,
      log: this.log,
      info: () => this.info(),
      writable: () => !this.stopped,
    });
    this.connections.add(conn);
    void conn.connection.closed.then(() => this.connections.delete(conn));
  }

  private async info(): Promise<InfoResponse> {
    const stats = await fs.statfs(this.config.dataDir);
    return {
      status: BookieStatus.OK,
      freeDiskBytes: Number(stats.bavail) * Number(stats.bsize),
      bookieId: this.config.id,
      instanceId: this.cookie.instanceId,
      version: STRATA_VERSION,
    };
  }

  private scheduleCheckpoints(intervalMs: number): void {
    this.checkpointTimer = setInterval(() => {
      if (!this.checkpointing) this.checkpointing = this.checkpoint().finally(() => (this.checkpointing = undefined));
    }, intervalMs);
    this.checkpointTimer.unref();
  }

  /** Makes storage durable up to the journal's synced position, then lets the journal drop what is older. */
  async checkpoint(): Promise<void> {
    try {
      const position = this.journal.syncedPosition;
      await this.core.settled();
      await this.storage.checkpoint();
      await this.journal.checkpoint(position);
      await this.storage.maybeCompact();
    } catch (err) {
      this.log.error({ err }, 'checkpoint failed');
    }
  }

  /** Stops serving: answers in-flight requests, checkpoints, and releases the registration. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.checkpointTimer);
    this.server.close();
    await this.registration.stop();
    this.core.lacWaiters.releaseAll((ledgerId) => this.core.lac(ledgerId));
    for (const c of this.connections) c.connection.close();
    await Promise.all([...this.connections].map((c) => c.connection.closed));
    await this.checkpointing;
    await this.checkpoint();
    await this.journal.close();
    await this.storage.close();
    await new Promise<void>((resolve) => (this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve()));
    this.log.info('bookie stopped');
  }
}
