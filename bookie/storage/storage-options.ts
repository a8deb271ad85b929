// Options of the ledger storage, their defaults and their validation.
import { InvalidArgumentError } from './errors.js';

export interface LedgerStorageOptions {
  /** An entry log is rotated before it would pass this size (an entry larger than it gets a log of its own). Default 256 MiB, at most 4 GiB − 1. */
  maxLogBytes?: number;
  /** Buffered entry bytes that start a background write (no fsync) so memory stays bounded. Default 1 MiB. */
  writeBufferBytes?: number;
  /**
   * Written-but-unsynced entry bytes after which the background write also fdatasyncs the logs, so dirty
   * data never piles up for the checkpoint to flush at once (which would stall the journal's syncs on
   * the same disk). Default 4 MiB: on one ext4 disk shared with the journal, a journal fdatasync
   * waits for the file system's commit that an entry-log sync is in, so short entry-log syncs keep
   * journal syncs short (one bookie process at its maximum rate of 64 KiB adds, measured once per
   * setting: ~200 MB/s with 4 MiB writes and 16 MiB syncs, 237–269 MB/s with 1 MiB and 4 MiB).
   */
  syncBehindBytes?: number;
  /** Compaction rewrites entry logs whose live ratio (live record bytes / record bytes) is below this. Default 0.5. */
  compactionThreshold?: number;
  /** The index log is rewritten at a checkpoint when its dead records exceed both its live records and this. Default 1,000,000. */
  indexRewriteMinDeadRecords?: number;
  /** Entry log files kept open for reading at once. Default 64. */
  maxOpenLogs?: number;
}

export type ResolvedStorageOptions = Required<LedgerStorageOptions>;

export const DEFAULT_STORAGE_OPTIONS: ResolvedStorageOptions = {
  maxLogBytes: 256 * 1024 * 1024,
  writeBufferBytes: 1024 * 1024,
  syncBehindBytes: 4 * 1024 * 1024,
  compactionThreshold: 0.5,
  indexRewriteMinDeadRecords: 1_000_000,
  maxOpenLogs: 64,
};

/** Largest offset the index can hold (u32). */
export const MAX_LOG_BYTES = 0xffffffff;

export function resolveStorageOptions(options: LedgerStorageOptions = {}): ResolvedStorageOptions {
  const resolved = { ...DEFAULT_STORAGE_OPTIONS, ...stripUndefined(options) };
  requireInteger('maxLogBytes', resolved.maxLogBytes, 4096, MAX_LOG_BYTES);
  requireInteger('writeBufferBytes', resolved.writeBufferBytes, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('syncBehindBytes', resolved.syncBehindBytes, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('indexRewriteMinDeadRecords', resolved.indexRewriteMinDeadRecords, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('maxOpenLogs', resolved.maxOpenLogs, 1, 65536);
  const t = resolved.compactionThreshold;
  if (!(t >= 0 && t <= 1)) throw new InvalidArgumentError(`compactionThreshold must be within [0, 1], got ${t}`);
  return resolved;
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer within [${min}, ${max}], got ${value}`);
  }
}

function stripUndefined(options: LedgerStorageOptions): LedgerStorageOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as LedgerStorageOptions;
}
