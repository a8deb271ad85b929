// How a partition's log is written: quorums, when ledgers roll, and the bounds of its queues and cache.

export interface ManagedLedgerConfig {
  ensembleSize: number;
  writeQuorum: number;
  ackQuorum: number;
  /** A ledger rolls after this many entries. Default 50,000. */
  maxEntriesPerLedger: number;
  /** … or this many payload bytes. Default 256 MiB. */
  maxLedgerBytes: number;
  /** … or this age, once it holds an entry. Default 4 hours. */
  maxLedgerAgeMs: number;
  /** Appends waiting or in flight at most; beyond it append() fails with PartitionBusyError. Default 10,000. */
  maxPendingAppends: number;
  /** Bytes of recent entries kept for tailing readers. Default 32 MiB. */
  cacheBytes: number;
}

export const DEFAULT_MANAGED_LEDGER_CONFIG: ManagedLedgerConfig = {
  ensembleSize: 1,
  writeQuorum: 1,
  ackQuorum: 1,
  maxEntriesPerLedger: 50_000,
  maxLedgerBytes: 256 * 1024 * 1024,
  maxLedgerAgeMs: 4 * 60 * 60 * 1000,
  maxPendingAppends: 10_000,
  cacheBytes: 32 * 1024 * 1024,
};
