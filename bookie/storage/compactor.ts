// Entry log compaction: copies the live entries of mostly-dead logs into the current log, checkpoints,
// and only then deletes the old files, so a crash at any point leaves every live entry reachable:
// before the checkpoint's index fsync the durable index still names the old files (which exist); after
// it, it names the copies (already fsynced by the same checkpoint), and the old files are garbage.
import { crc32c } from '@node-rs/crc32';
import { encodeRecordHeader, recordSize } from './entry-record.js';
import type { EntryLog } from './entry-log.js';
import type { EntryLogSet } from './entry-log-set.js';
import { MAX_GAP_BYTES, MAX_RUN_BYTES, type EntryReader } from './entry-reader.js';
import { FILE_HEADER_SIZE } from './file-header.js';
import type { IndexChanges } from './index-changes.js';
import type { LedgerTable } from './ledger-table.js';
import { collectEntriesIn, groupIntoRuns, type StoredEntry } from './record-runs.js';

export interface CompactionResult {
  /** Entry log files deleted. */
  logsCompacted: number;
  entriesMoved: number;
  /** Record bytes copied into the current log. */
  bytesMoved: number;
  /** Bytes of the deleted files. */
  bytesFreed: number;
  /** Net disk space given back: bytesFreed − bytesMoved. */
  bytesReclaimed: number;
}

/** What compaction needs from the storage; `checkpoint` and `guard` run inside the storage's queue. */
export interface CompactionHost {
  table: LedgerTable;
  logs: EntryLogSet;
  reader: EntryReader;
  changes: IndexChanges;
  writeBufferBytes: number;
  checkpoint(): Promise<void>;
  guard<T>(op: () => Promise<T>): Promise<T>;
}

/** Live record bytes over record bytes; an empty log counts as 0. */
export function liveRatio(log: EntryLog): number {
  const recordBytes = log.size - FILE_HEADER_SIZE;
  return recordBytes === 0 ? 0 : log.liveBytes / recordBytes;
}

/** Sealed logs below the threshold: the ones compaction would rewrite. */
export function compactionCandidates(logs: EntryLogSet, threshold: number): EntryLog[] {
  return logs.sealed().filter((log) => liveRatio(log) < threshold);
}

/** Must run inside the storage's queue (nothing else writes meanwhile). */
export async function compactEntryLogs(host: CompactionHost, threshold: number): Promise<CompactionResult> {
  const { logs } = host;
  await host.guard(() => logs.flush());
  const victims = compactionCandidates(logs, threshold);
  const result: CompactionResult = { logsCompacted: 0, entriesMoved: 0, bytesMoved: 0, bytesFreed: 0, bytesReclaimed: 0 };
  if (victims.length === 0) return result;
  const live = collectEntriesIn(host.table, new Set(victims.map((log) => log.id)));
  for (const run of groupIntoRuns(live, MAX_RUN_BYTES, MAX_GAP_BYTES)) {
    const payloads = await host.reader.readRun(run); // verifies every record: a damaged one aborts, deleting nothing
    run.entries.forEach((entry, i) => {
      if (relocate(host, entry, payloads[i]!)) {
        result.entriesMoved++;
        result.bytesMoved += recordSize(entry.length);
      }
    });
    if (logs.unwrittenBytes >= host.writeBufferBytes) await host.guard(() => logs.writeAll());
  }
  await host.checkpoint();
  // No durable index record names these logs any more. The live-bytes check is a last guard: a log that
  // still holds a live entry is never deleted.
  const empty = victims.filter((log) => log.liveBytes === 0);
  result.logsCompacted = empty.length;
  result.bytesFreed = await host.guard(() => logs.remove(empty));
  result.bytesReclaimed = result.bytesFreed - result.bytesMoved;
  return result;
}

/** Copies an entry into the current log if the index still places it where it was read from (it may have been deleted meanwhile). */
function relocate(host: CompactionHost, entry: StoredEntry, payload: Buffer): boolean {
  const entries = host.table.get(entry.ledgerId)?.entries;
  const slot = entries === undefined ? -1 : entries.find(entry.entryId);
  if (entries === undefined || slot < 0 || entries.logIdAt(slot) !== entry.logId || entries.offsetAt(slot) !== entry.offset) return false;
  const header = encodeRecordHeader(entry.ledgerId, entry.entryId, entry.length, crc32c(payload));
  const { logId, offset } = host.logs.append(header, payload);
  entries.set(entry.entryId, logId, offset, entry.length);
  host.logs.release(entry.logId, recordSize(entry.length));
  host.changes.entry(entry.ledgerId, entry.entryId, logId, offset, entry.length);
  return true;
}
