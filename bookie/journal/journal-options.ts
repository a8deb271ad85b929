// The journal's options, their defaults and validation, and the hooks it reports through.
import type { JournalPosition } from './journal-position.js';
import type { JournalRecord } from './journal-record.js';
import { defaultSync, type SyncFunction } from './journal-sync.js';

/** What the journal reports after each group-commit sync (for metrics; called only if set). */
export interface JournalSyncStats {
  readonly fileId: number;
  /** Records made durable by this sync. */
  readonly records: number;
  /** Bytes written for them. */
  readonly bytes: number;
  /** Time of the write, in microseconds. */
  readonly writeMicros: number;
  /** Time of the fdatasync, in microseconds. */
  readonly syncMicros: number;
}

/** Pino-compatible: the journal only warns (torn tails cut at replay, a throwing hook). */
export interface JournalLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/**
 * Applies one replayed record, in journal order; `end` is the position just past it. A returned
 * promise is awaited before the next record. A throw aborts `Journal.open`. An ADD_ENTRY payload
 * is a view into the buffer holding its whole journal file: copy it to keep it for long.
 */
export type ReplayHandler = (record: JournalRecord, end: JournalPosition) => void | Promise<void>;

export interface JournalOptions {
  /** Roll to a new file once the current one reaches this size. Default 64 MiB. */
  maxFileBytes?: number;
  /** Bytes one write+sync takes from the queue (a single larger record or appendBatch is not split). Default 1 MiB. */
  maxBatchBytes?: number;
  /** How long a batch that is not full may wait for more records before its sync starts. Default 0. */
  maxDelayMs?: number;
  /** Bytes that may wait for a sync (queued and in flight) before appends are refused. Default 64 MiB. */
  maxPendingBytes?: number;
  /** Receives every record after the checkpoint during `open`, before the journal accepts appends. */
  replay?: ReplayHandler;
  /** Called after every group-commit sync. Exceptions it throws are logged and ignored. */
  onSync?: (stats: JournalSyncStats) => void;
  logger?: JournalLogger;
  /** Replaces fdatasync/fsync (tests and fault injection). Default: FileHandle.datasync / sync. */
  sync?: SyncFunction;
}

export interface ResolvedJournalOptions {
  readonly maxFileBytes: number;
  readonly maxBatchBytes: number;
  readonly maxDelayMs: number;
  readonly maxPendingBytes: number;
  readonly replay: ReplayHandler | undefined;
  readonly onSync: ((stats: JournalSyncStats) => void) | undefined;
  readonly logger: JournalLogger | undefined;
  readonly sync: SyncFunction;
}

const MiB = 1024 * 1024;
/** Whole files are read into memory at replay, so they stay well below Buffer limits. */
const MAX_FILE_BYTES_LIMIT = 1024 * MiB;

export function resolveJournalOptions(options: JournalOptions): ResolvedJournalOptions {
  const resolved: ResolvedJournalOptions = {
    maxFileBytes: options.maxFileBytes ?? 64 * MiB,
    maxBatchBytes: options.maxBatchBytes ?? MiB,
    maxDelayMs: options.maxDelayMs ?? 0,
    maxPendingBytes: options.maxPendingBytes ?? 64 * MiB,
    replay: options.replay,
    onSync: options.onSync,
    logger: options.logger,
    sync: options.sync ?? defaultSync,
  };
  positiveInteger('maxFileBytes', resolved.maxFileBytes, MAX_FILE_BYTES_LIMIT);
  positiveInteger('maxBatchBytes', resolved.maxBatchBytes, Number.MAX_SAFE_INTEGER);
  positiveInteger('maxPendingBytes', resolved.maxPendingBytes, Number.MAX_SAFE_INTEGER);
  if (!(resolved.maxDelayMs >= 0 && resolved.maxDelayMs <= 1000)) {
    throw new RangeError(`maxDelayMs must be between 0 and 1000, got ${resolved.maxDelayMs}`);
  }
  return resolved;
}

function positiveInteger(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer between 1 and ${max}, got ${value}`);
  }
}
