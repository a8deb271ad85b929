// A partition's log on ledgers (managed ledger): open with recovery, ordered appends, rolls, reads.
export { ManagedLedger, type ManagedLedgerDeps } from './managed-ledger.js';
export { DEFAULT_MANAGED_LEDGER_CONFIG, type ManagedLedgerConfig } from './managed-ledger-config.js';
export type { LogEntry, EntryReader, ClosedLedgerOpener } from './managed-ledger-reader.js';
export { comparePositions, formatPosition, type Position } from './position.js';
export type { OwnerEpoch } from './owner-epoch.js';
export type { LedgerInfo, PartitionLogMetadata } from './partition-log-metadata.js';
