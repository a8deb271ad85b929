// Serves reads from the index: one file read per entry, or per run of adjacent entries, and never a scan.
// Entries still buffered are served from memory. Every record read from a file is checked (EntryChecksumError).
import { recordSize, verifyRecord } from './entry-record.js';
import type { EntryLogSet } from './entry-log-set.js';
import type { LedgerTable } from './ledger-table.js';
import { groupIntoRuns, type RecordRun, type StoredEntry } from './record-runs.js';

/** A run read at once spans at most this, and skips gaps of at most MAX_GAP_BYTES of other records. */
export const MAX_RUN_BYTES = 4 * 1024 * 1024;
export const MAX_GAP_BYTES = 64 * 1024;
/** Runs of one request read concurrently: enough to use the disk, few enough to leave the thread pool to the journal. */
const READ_CONCURRENCY = 4;

export class EntryReader {
  constructor(
    private readonly table: LedgerTable,
    private readonly logs: EntryLogSet,
  ) {}

  async readEntry(ledgerId: number, entryId: number): Promise<Buffer | undefined> {
    return (await this.readWithRetry(() => {
      const entry = this.locate(ledgerId, entryId);
      return entry === undefined ? [] : [entry];
    }))[0];
  }

  /** Entries first..last, stopping at the first one missing and before payload bytes pass maxBytes (the first always counts). */
  readRange(ledgerId: number, firstEntryId: number, lastEntryId: number, maxBytes: number): Promise<Buffer[]> {
    return this.readWithRetry(() => {
      const wanted: StoredEntry[] = [];
      let bytes = 0;
      for (let id = firstEntryId; id <= lastEntryId; id++) {
        const entry = this.locate(ledgerId, id);
        if (entry === undefined || (wanted.length > 0 && bytes + entry.length > maxBytes)) break;
        wanted.push(entry);
        bytes += entry.length;
      }
      return wanted;
    });
  }

  locate(ledgerId: number, entryId: number): StoredEntry | undefined {
    const entries = this.table.get(ledgerId)?.entries;
    const slot = entries === undefined ? -1 : entries.find(entryId);
    if (entries === undefined || slot < 0) return undefined;
    return { ledgerId, entryId, logId: entries.logIdAt(slot), offset: entries.offsetAt(slot), length: entries.lengthAt(slot) };
  }

  /** Reads and verifies the records of one run; the payloads are views into one buffer (no copies). */
  async readRun(run: RecordRun): Promise<Buffer[]> {
    const data = await this.logs.read(run.logId, run.offset, run.bytes);
    return run.entries.map((entry) => {
      const at = entry.offset - run.offset;
      return verifyRecord(data.subarray(at, at + recordSize(entry.length)), entry.ledgerId, entry.entryId, entry.length);
    });
  }

  /**
   * Compaction may delete a log file between the lookup and the read: then the index has already moved the
   * entry, and one fresh lookup finds it. A missing file the index still points at is a real error.
   */
  private async readWithRetry(lookup: () => StoredEntry[]): Promise<Buffer[]> {
    for (let attempt = 0; ; attempt++) {
      const wanted = lookup();
      try {
        return await this.readEntries(wanted);
      } catch (err) {
        if (attempt === 0 && isNotFound(err) && wanted.some((e) => this.hasMoved(e))) continue;
        throw err;
      }
    }
  }

  private hasMoved(entry: StoredEntry): boolean {
    const now = this.locate(entry.ledgerId, entry.entryId);
    return now === undefined || now.logId !== entry.logId || now.offset !== entry.offset;
  }

  private async readEntries(entries: StoredEntry[]): Promise<Buffer[]> {
    const out = new Array<Buffer>(entries.length);
    const onDisk: StoredEntry[] = [];
    const positions: number[] = [];
    entries.forEach((entry, i) => {
      const buffered = this.logs.buffered(entry.logId, entry.offset);
      if (buffered !== undefined) out[i] = buffered;
      else {
        onDisk.push(entry);
        positions.push(i);
      }
    });
    const runs = groupIntoRuns(onDisk, MAX_RUN_BYTES, MAX_GAP_BYTES);
    let next = 0;
    for (let i = 0; i < runs.length; i += READ_CONCURRENCY) {
      for (const payloads of await Promise.all(runs.slice(i, i + READ_CONCURRENCY).map((run) => this.readRun(run)))) {
        for (const payload of payloads) out[positions[next++]!] = payload;
      }
    }
    return out;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
