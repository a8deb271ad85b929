// Groups stored entries that lie close together in one entry log into runs, so each run is one file read
// (reading a small gap of other records costs less than another read through the thread pool).
import { recordSize } from './entry-record.js';
import type { LedgerTable } from './ledger-table.js';

export interface StoredEntry {
  ledgerId: number;
  entryId: number;
  logId: number;
  offset: number;
  /** Payload length. */
  length: number;
}

export interface RecordRun {
  logId: number;
  offset: number;
  bytes: number;
  entries: StoredEntry[];
}

/**
 * Consecutive entries (in the given order) join one run while they are in the same log at increasing offsets,
 * at most `maxGapBytes` after the run's end, and the run spans at most `maxRunBytes`.
 */
export function groupIntoRuns(entries: StoredEntry[], maxRunBytes: number, maxGapBytes: number): RecordRun[] {
  const runs: RecordRun[] = [];
  let run: RecordRun | undefined;
  for (const entry of entries) {
    const end = entry.offset + recordSize(entry.length);
    if (
      run !== undefined &&
      run.logId === entry.logId &&
      entry.offset >= run.offset + run.bytes &&
      entry.offset - (run.offset + run.bytes) <= maxGapBytes &&
      end - run.offset <= maxRunBytes
    ) {
      run.bytes = end - run.offset;
      run.entries.push(entry);
    } else {
      run = { logId: entry.logId, offset: entry.offset, bytes: end - entry.offset, entries: [entry] };
      runs.push(run);
    }
  }
  return runs;
}

/** Every entry the table places in one of `logIds`, ordered by log then offset (the order to copy them in). */
export function collectEntriesIn(table: LedgerTable, logIds: Set<number>): StoredEntry[] {
  const found: StoredEntry[] = [];
  for (const [ledgerId, state] of table.states()) {
    state.entries.forEach((entryId, logId, offset, length) => {
      if (logIds.has(logId)) found.push({ ledgerId, entryId, logId, offset, length });
    });
  }
  return found.sort((a, b) => a.logId - b.logId || a.offset - b.offset);
}
