// The broker's side of tiering: it runs an offloader, hands it the closed ledgers of its partitions
// that the policy selects, reads ledgers whose bookie copies are gone from the object store (shared
// block cache), and deletes ledgers together with their objects.
import type { Registry } from 'prom-client';
import type { Logger } from '../../common/index.js';
import type { LedgerClient } from '../../ledger/index.js';
import {
  BlockCache, Offloader, OffloadedLedgerReader, deleteOffloadedLedger, selectLedgersToOffload, type ObjectStore, type OffloadPolicy, type TieringStatus,
} from '../../objectstore/index.js';
import type { EntryReader, ManagedLedger } from '../managed-ledger/index.js';

export interface TieringConfig {
  objects: ObjectStore;
  policy?: Partial<OffloadPolicy>;
  /** Time between recording an offload and deleting the bookies' copies. Default 15 minutes. */
  gracePeriodMs?: number;
  /** Bytes of offloaded blocks cached for readers. Default 64 MiB. */
  cacheBytes?: number;
  /** The local disk's fill ratio (0..1), for the high-water mark. Default: never pressed. */
  diskFillRatio?: () => Promise<number>;
}

export class BrokerTiering {
  readonly cache: BlockCache;

  private constructor(
    private readonly config: TieringConfig,
    private readonly ledgers: LedgerClient,
    private readonly offloader: Offloader,
    private readonly log: Logger,
  ) {
    this.cache = new BlockCache({ maxBytes: config.cacheBytes ?? 64 * 1024 * 1024 });
  }

  static async start(config: TieringConfig, ledgers: LedgerClient, owner: string, registry: Registry, log: Logger): Promise<BrokerTiering> {
    const offloader = await Offloader.start({ ledgers, objects: config.objects, owner, registry, logger: log, gracePeriodMs: config.gracePeriodMs });
    return new BrokerTiering(config, ledgers, offloader, log);
  }

  /** A reader of a closed ledger: the object store once its bookie copies are gone, else the bookies. */
  async openClosedLedger(ledgerId: number): Promise<EntryReader> {
    const { metadata } = await this.ledgers.readMetadata(ledgerId);
    if (metadata.offload?.localCopiesDeletedAt !== undefined) {
      return OffloadedLedgerReader.openLedger(this.config.objects, metadata, { cache: this.cache });
    }
    return this.ledgers.openReader(ledgerId);
  }

  /** Submits a partition's ledgers that need tiering work, and flags the offloaded ones in its list. */
  async schedule(ml: ManagedLedger): Promise<void> {
    const fill = this.config.diskFillRatio ? await this.config.diskFillRatio() : 0;
    const candidates = [];
    const offloaded: number[] = [];
    for (const l of ml.ledgers) {
      if (l.entries === undefined) continue;
      const { metadata } = await this.ledgers.readMetadata(l.ledgerId);
      if (metadata.offload && !l.offloaded) offloaded.push(l.ledgerId);
      if (metadata.offload?.localCopiesDeletedAt === undefined) candidates.push(metadata);
    }
    if (offloaded.length > 0) await ml.markOffloaded(offloaded);
    const chosen = selectLedgersToOffload(candidates, fill, this.config.policy);
    if (chosen.length > 0) this.offloader.submit(chosen);
  }

  /** Deletes a ledger's metadata, bookie copies and objects. */
  async deleteLedger(ledgerId: number): Promise<void> {
    await deleteOffloadedLedger({ ledgers: this.ledgers, objects: this.config.objects, cache: this.cache }, ledgerId);
  }

  status(): TieringStatus {
    return this.offloader.status();
  }

  async close(): Promise<void> {
    await this.offloader.close().catch((err: unknown) => this.log.warn({ err }, 'closing the offloader failed'));
  }
}
