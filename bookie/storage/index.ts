// The bookie's ledger storage: entry logs + a checkpointed index serving reads. Contracts in ledger-storage.ts.
export { LedgerStorage, type AddResult, type StorageStats } from './ledger-storage.js';
export type { CompactionResult } from './compactor.js';
export { DEFAULT_STORAGE_OPTIONS, type LedgerStorageOptions } from './storage-options.js';
export {
  StorageError,
  StorageFormatError,
  StorageCorruptError,
  EntryChecksumError,
  EntryExistsDifferentError,
  InvalidArgumentError,
  StorageClosedError,
  StorageFailedError,
} from './errors.js';
