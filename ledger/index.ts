// The ledger client: quorum writes, fencing and recovery, ensemble changes, reads.
export { LedgerClient, type LedgerClientOptions, type CreateLedgerOptions } from './ledger-client.js';
export { LedgerWriter, type LedgerWriterOptions } from './write/ledger-writer.js';
export { nextWriterState, type WriterState, type WriterInput } from './write/writer-state.js';
export { LedgerReader, type LedgerReaderOptions } from './read/ledger-reader.js';
export { BookieClient, connectToBookie, parseAddress, type BookieClientOptions } from './bookie-client/bookie-client.js';
export { BookieRegistry, type BookieInfo } from './bookies/bookie-registry.js';
export { hasEnsembleCoverage } from './recovery/fence-ledger.js';
export {
  fragmentOf, writeSet, writeSetPositions, allBookies, checkQuorums, encodeLedgerMetadata, decodeLedgerMetadata,
  type LedgerMetadata, type LedgerOffload, type LedgerState, type Fragment, type Quorums,
} from './metadata/ledger-metadata.js';
export type { VersionedLedgerMetadata } from './metadata/ledger-metadata-store.js';
export { AutoRecovery, type AutoRecoveryOptions, type AutoRecoveryStatus, type RoundResult } from './replication/auto-recovery.js';
export {
  UnderReplicationScanner, fragmentLastEntry, needsBookieCopies, type UnderReplicatedFragment, type ScanResult,
} from './replication/under-replication-scanner.js';
export { FragmentReplicator, type ReplicationOutcome } from './replication/fragment-replicator.js';
export * from './errors.js';
