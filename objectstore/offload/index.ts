// Tiering: the offloader that moves closed ledgers to the object store, the policy that picks them,
// the reader of offloaded ledgers with its shared block cache, deletion and the orphan sweeper.
export { Offloader, type OffloaderOptions, type TieringStatus, type StepOutcome } from './offloader.js';
export { selectLedgersToOffload, DEFAULT_OFFLOAD_POLICY, type OffloadPolicy, type OffloadCandidate } from './offload-policy.js';
export { OffloadedLedgerReader, type OffloadedLedgerReaderOptions, type OffloadLocation } from './offloaded-ledger-reader.js';
export { BlockCache, type BlockCacheOptions, type BlockCacheStats } from './block-cache.js';
export { OffloadSweeper, type OffloadSweeperOptions, type SweepResult } from './offload-sweeper.js';
export { deleteOffloadedLedger, type DeleteOffloadedLedgerOptions } from './delete-offloaded-ledger.js';
export { TieringMetrics, TieringReadMetrics, type TieringLag } from './tiering-metrics.js';
export type { OffloadEvent, OffloadObserver } from './offload-attempt.js';
export type { OffloadSummary } from './offload-encoder.js';
export { nextAttemptState, nextTieringStep, type AttemptState, type AttemptInput, type TieringStep } from './offload-state.js';
export { DEFAULT_OFFLOAD_PREFIX, parseOffloadObjectKey } from './offload-object-key.js';
export { OFFLOAD_FORMAT_VERSION, DEFAULT_BLOCK_SIZE, OBJECT_CHECKSUM_METADATA, type LedgerEntryData } from './offload-format.js';
export {
  TieringError, OffloadMismatchError, OffloadVerificationError, OffloadedObjectMismatchError, OffloadIntentLostError,
  OffloadOutcomeUnknownError, LedgerNotOffloadableError, LedgerNotOffloadedError, OffloaderClosedError,
} from './offload-errors.js';
