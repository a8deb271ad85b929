// Prometheus metrics of tiering, in a registry the caller passes (the broker's): the tiering lag
// (ledgers waiting and the age of the oldest), throughput, failures, and bytes read back.
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the lag gauges read at scrape time. */
export interface TieringLag {
  waiting: number;
  oldestWaitingMs: number;
  awaitingLocalDeletion: number;
}

export class TieringMetrics {
  readonly offloadedLedgers: Counter;
  readonly offloadedBytes: Counter;
  readonly failures: Counter<'code'>;
  readonly lostRaces: Counter;
  readonly localCopiesDeleted: Counter;

  constructor(registry: Registry, lag: () => TieringLag) {
    const registers = [registry];
    new Gauge({
      name: 'strata_tiering_waiting_ledgers', help: 'closed ledgers submitted for offload and not yet offloaded (tiering lag)', registers,
      collect() { this.set(lag().waiting); },
    });
    new Gauge({
      name: 'strata_tiering_oldest_waiting_seconds', help: 'how long the oldest ledger waiting for offload has waited (tiering lag)', registers,
      collect() { this.set(lag().oldestWaitingMs / 1000); },
    });
    new Gauge({
      name: 'strata_tiering_awaiting_local_deletion_ledgers', help: 'offloaded ledgers whose bookie copies are not deleted yet', registers,
      collect() { this.set(lag().awaitingLocalDeletion); },
    });
    this.offloadedLedgers = new Counter({ name: 'strata_tiering_offloaded_ledgers_total', help: 'ledgers offloaded and recorded', registers });
    this.offloadedBytes = new Counter({ name: 'strata_tiering_offloaded_bytes_total', help: 'object bytes of the ledgers offloaded', registers });
    this.failures = new Counter({ name: 'strata_tiering_failures_total', help: 'failed tiering steps by error code (each is retried)', labelNames: ['code'] as const, registers });
    this.lostRaces = new Counter({ name: 'strata_tiering_lost_races_total', help: 'offload attempts that found another offload recorded first', registers });
    this.localCopiesDeleted = new Counter({ name: 'strata_tiering_local_copies_deleted_total', help: 'offloaded ledgers whose bookie copies were deleted', registers });
  }
}

/** Bytes the readers of offloaded ledgers fetched from the object store. */
export class TieringReadMetrics {
  readonly readBytes: Counter;

  constructor(registry: Registry) {
    this.readBytes = new Counter({ name: 'strata_tiering_read_bytes_total', help: 'bytes fetched from the object store by readers of offloaded ledgers', registers: [registry] });
  }

  /** For OffloadedLedgerReaderOptions.onBytesFetched. */
  readonly onBytesFetched = (bytes: number): void => this.readBytes.inc(bytes);
}
