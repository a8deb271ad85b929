// The bookie's write-ahead journal: an append resolves only after its bytes are fdatasync'ed, and
// concurrent appends share one sync (group commit). Replay at open; checkpoints drop old files.
//
// Usage:
//   const journal = await Journal.open(dir, { replay: (record, end) => storage.apply(record, end) });
//   const end = await journal.append({ type: 'addEntry', ledgerId, entryId, payload });
//   ... once ledger storage has flushed everything up to `end`: await journal.checkpoint(end);
//   await journal.close();
//
// Appending 64 KiB payloads with no copies (the benchmark path):
// - Pass the payload as a Buffer view of the bytes you already hold, e.g. the received frame's
//   `frame.subarray(start, start + 65536)`. The journal never copies it: it computes the record's
//   crc32c over it once, and hands the same Buffer to filehandle.writev next to a 25-byte header.
// - Do not modify the payload until the append settles (the write happens later, off-thread).
// - Per record, `append` costs one small header buffer and one promise chained on the batch's
//   single promise (for the position); `record` hands out the batch's promise itself and costs
//   none; `appendBatch(records)` costs one promise for all of them. Issue many appends
//   before awaiting any (e.g. keep N in flight): they share a write and an fdatasync, up to
//   `maxBatchBytes` (1 MiB default, i.e. 16 such payloads) per sync.
// - Watch `onSync` stats (records, bytes, writeMicros, syncMicros) to see the batching achieved.
//
// On disk (all integers big-endian; see the files named for the details):
//   journal-<id>.log: header magic 'SJNL' | version u16 | reserved u16 | fileId u64 | crc32c u32,
//   then records  length u32 | crc32c(type+body) u32 | type u8 | body      (journal-record.ts)
//   checkpoint:   magic 'SJCP' | version u16 | reserved u16 | fileId u64 | offset u64 | crc32c u32
export { Journal, type JournalState } from './journal.js';
export type { JournalLogger, JournalOptions, JournalSyncStats, ReplayHandler } from './journal-options.js';
export { compareJournalPositions, formatJournalPosition, type JournalPosition } from './journal-position.js';
export type { AddEntryRecord, DeleteLedgerRecord, FenceRecord, JournalRecord } from './journal-record.js';
export type { ReplaySummary } from './journal-replay.js';
export type { SyncFunction, SyncKind } from './journal-sync.js';
export { JOURNAL_FORMAT_VERSION, journalFileName } from './journal-file-header.js';
export {
  InvalidJournalPositionError,
  InvalidJournalRecordError,
  JournalClosedError,
  JournalCorruptError,
  JournalError,
  JournalFailedError,
  JournalFormatError,
  JournalOverloadedError,
} from './errors.js';
