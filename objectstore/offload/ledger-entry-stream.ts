// Reads a closed ledger through the ledger client (any replica serves each read) as a stream of
// batches of about `targetBatchBytes`, with one batch read ahead, so memory stays at two batches.
import type { LedgerEntryData } from './offload-format.js';

export interface EntryRangeReader {
  read(first: number, last: number): Promise<LedgerEntryData[]>;
}

export interface LedgerEntryStreamOptions {
  /** Default 4 MiB. */
  targetBatchBytes?: number;
  /** Default 1024. */
  maxBatchEntries?: number;
  /** Entries in the first batch, before the entry size is known (default 16). */
  firstBatchEntries?: number;
}

/** Yields entries 0..lastEntryId in batches; a failed read rejects the stream. */
export async function* ledgerEntryStream(reader: EntryRangeReader, lastEntryId: number, options: LedgerEntryStreamOptions = {}): AsyncGenerator<LedgerEntryData[]> {
  const { targetBatchBytes = 4 * 1024 * 1024, maxBatchEntries = 1024, firstBatchEntries = 16 } = options;
  let next = 0;
  let count = Math.min(firstBatchEntries, maxBatchEntries);
  const start = (): Promise<LedgerEntryData[]> | undefined => {
    if (next > lastEntryId) return undefined;
    const first = next;
    const last = Math.min(lastEntryId, first + count - 1);
    next = last + 1;
    const read = reader.read(first, last);
    // Awaited on the next turn of the loop; until then a failure must not count as unhandled.
    read.catch(() => undefined);
    return read;
  };
  // A consumer that stops early leaves at most one read running; its result is dropped.
  let inFlight = start();
  while (inFlight !== undefined) {
    const batch = await inFlight;
    const bytes = batch.reduce((s, e) => s + e.payload.length + 16, 0);
    count = Math.max(1, Math.min(maxBatchEntries, Math.floor(targetBatchBytes / Math.max(1, bytes / Math.max(1, batch.length)))));
    inFlight = start();
    yield batch;
  }
}
