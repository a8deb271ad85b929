// The ledger client: creates ledgers on live bookies, writes them (LedgerWriter), recovers ledgers
// whose writer may be alive, reads them, and deletes them. Brokers and the offloader use it.
import { createLogger, type Logger } from '../common/index.js';
import type { MetadataStore } from '../metadata/index.js';
import type { BookieClientOptions } from './bookie-client/bookie-client.js';
import { BookiePool } from './bookies/bookie-pool.js';
import { BookieRegistry } from './bookies/bookie-registry.js';
import { InvalidLedgerArgumentError, NotEnoughBookiesError, ReadFailedError } from './errors.js';
import { allBookies, checkQuorums, type LedgerMetadata, type Quorums } from './metadata/ledger-metadata.js';
import { LedgerMetadataStore, type VersionedLedgerMetadata } from './metadata/ledger-metadata-store.js';
import { LedgerWriter, type LedgerWriterOptions } from './write/ledger-writer.js';
import { LedgerReader, type LedgerReaderOptions } from './read/ledger-reader.js';
import { recoverLedger } from './recovery/ledger-recovery.js';
import { BookieStatus } from '../protocol/index.js';

export interface LedgerClientOptions {
  store: MetadataStore;
  /** Who creates ledgers (recorded in creation intents), e.g. the broker id. */
  owner?: string;
  logger?: Logger;
  bookieClient?: BookieClientOptions;
}

export interface CreateLedgerOptions extends Quorums {
  properties?: Record<string, string>;
  writer?: LedgerWriterOptions;
}

export class LedgerClient {
  readonly metadataStore: LedgerMetadataStore;

  private constructor(
    readonly registry: BookieRegistry,
    readonly pool: BookiePool,
    private readonly options: LedgerClientOptions,
    private readonly log: Logger,
  ) {
    this.metadataStore = new LedgerMetadataStore(options.store);
  }

  static async start(options: LedgerClientOptions): Promise<LedgerClient> {
    const log = options.logger ?? createLogger('ledger-client');
    const registry = await BookieRegistry.start(options.store, log);
    return new LedgerClient(registry, new BookiePool(registry, options.bookieClient), options, log);
  }

  /**
   * Creates a ledger on `ensembleSize` live bookies. A creation intent is recorded first, so that no
   * reconciler deletes the ledger before its owner lists it; the owner clears it (clearIntent).
   */
  async createLedger(options: CreateLedgerOptions): Promise<LedgerWriter> {
    checkQuorums(options);
    const live = this.registry.live();
    if (live.length < options.ensembleSize) {
      throw new NotEnoughBookiesError(`need ${options.ensembleSize} live bookies, ${live.length} registered`);
    }
    const id = await this.metadataStore.nextLedgerId();
    await this.metadataStore.recordIntent(id, this.options.owner ?? 'unknown');
    const ensemble = pick(live, options.ensembleSize);
    const metadata: LedgerMetadata = {
      id,
      ensembleSize: options.ensembleSize,
      writeQuorum: options.writeQuorum,
      ackQuorum: options.ackQuorum,
      state: 'OPEN',
      lastEntryId: -1,
      fragments: [{ firstEntryId: 0, ensemble }],
      createdAt: Date.now(),
      properties: options.properties ?? {},
    };
    const created = await this.metadataStore.create(metadata);
    this.log.debug({ ledgerId: id, ensemble }, 'ledger created');
    return new LedgerWriter({ metadataStore: this.metadataStore, pool: this.pool, registry: this.registry }, created, { logger: this.log, ...options.writer });
  }

  clearIntent(ledgerId: number): Promise<void> {
    return this.metadataStore.clearIntent(ledgerId);
  }

  readMetadata(ledgerId: number): Promise<VersionedLedgerMetadata> {
    return this.metadataStore.read(ledgerId);
  }

  /** Fences and closes a ledger whose writer may be alive, then opens it for reading. */
  async openForRecovery(ledgerId: number, options: LedgerReaderOptions = {}): Promise<LedgerReader> {
    const closed = await recoverLedger({ metadataStore: this.metadataStore, pool: this.pool, log: this.log }, ledgerId);
    return new LedgerReader(this.pool, closed.metadata, options);
  }

  /** Opens a ledger for reading without recovering it (reads of an open ledger stop at its LAC). */
  async openReader(ledgerId: number, options: LedgerReaderOptions = {}): Promise<LedgerReader> {
    const { metadata } = await this.metadataStore.read(ledgerId);
    return new LedgerReader(this.pool, metadata, options);
  }

  /**
   * Deletes a ledger's entries from every bookie that holds some, then its metadata and intent. The
   * caller has already removed it from its owner's list. If a bookie cannot be reached the metadata is
   * kept and the error thrown, so the deletion can be retried.
   */
  async deleteLedger(ledgerId: number): Promise<void> {
    let metadata: LedgerMetadata;
    try {
      ({ metadata } = await this.metadataStore.read(ledgerId));
    } catch {
      return;
    }
    const results = await Promise.allSettled(allBookies(metadata).map(async (b) => (await this.pool.get(b)).deleteLedger(ledgerId)));
    const failed = results.filter((r) => r.status === 'rejected' || r.value.status !== BookieStatus.OK);
    if (failed.length > 0) throw new ReadFailedError(`ledger ${ledgerId}: ${failed.length} bookie(s) could not delete it yet; metadata kept for a retry`);
    await this.metadataStore.delete(ledgerId);
    await this.metadataStore.clearIntent(ledgerId);
  }

  /**
   * Deletes a ledger's entries from every bookie that holds some and keeps its metadata: for a ledger
   * whose data now lives in the object store. Refuses (InvalidLedgerArgumentError) unless the ledger
   * is CLOSED and its metadata records an offload, so no caller can drop the only copy. Idempotent;
   * if a bookie cannot be reached nothing is recorded and the error is thrown, so it can be retried.
   */
  async deleteBookieCopies(ledgerId: number): Promise<void> {
    const { metadata } = await this.metadataStore.read(ledgerId);
    if (metadata.state !== 'CLOSED' || metadata.offload === undefined) {
      throw new InvalidLedgerArgumentError(`ledger ${ledgerId} is ${metadata.state}${metadata.offload ? '' : ' and not offloaded'}: its bookie copies are its only copy`);
    }
    const results = await Promise.allSettled(allBookies(metadata).map(async (b) => (await this.pool.get(b)).deleteLedger(ledgerId)));
    const failed = results.filter((r) => r.status === 'rejected' || r.value.status !== BookieStatus.OK);
    if (failed.length > 0) throw new ReadFailedError(`ledger ${ledgerId}: ${failed.length} bookie(s) could not delete their copies yet`);
    this.log.debug({ ledgerId }, 'bookie copies of an offloaded ledger deleted');
  }

  async close(): Promise<void> {
    await this.pool.close();
    await this.registry.close();
  }
}

function pick(items: string[], n: number): string[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}
