// Shared helpers for the journal tests: temp directories, record generators, a replay collector,
// and sync functions that count, gate or fail the journal's syncs.
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Journal, type JournalOptions, type JournalPosition, type JournalRecord, type SyncFunction, type SyncKind } from '../../../../bookie/journal/index.js';

export async function makeTempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'strata-journal-'));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** Journal file names in `dir`, oldest first. */
export async function journalFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => /^journal-\d+\.log$/.test(n)).sort();
}

/** A deterministic mix of record types and payload sizes (0..maxPayload bytes). */
export function makeRecords(count: number, maxPayload = 300, firstEntry = 0): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (let i = 0; i < count; i++) {
    const n = firstEntry + i;
    if (n % 17 === 5) records.push({ type: 'fence', ledgerId: 1000 + (n % 7) });
    else if (n % 29 === 11) records.push({ type: 'deleteLedger', ledgerId: 2 ** 40 + n });
    else {
      const payload = Buffer.alloc((n * 37) % (maxPayload + 1));
      for (let b = 0; b < payload.length; b++) payload[b] = (n + b * 7) & 0xff;
      records.push({ type: 'addEntry', ledgerId: n % 5, entryId: n, payload });
    }
  }
  return records;
}

/** A plain, comparable form of a record (payloads as hex). */
export function plain(record: JournalRecord): Record<string, unknown> {
  return record.type === 'addEntry' ? { ...record, payload: record.payload.toString('hex') } : { ...record };
}

export interface Replayed {
  journal: Journal;
  records: JournalRecord[];
  ends: JournalPosition[];
  warnings: Array<{ details: Record<string, unknown>; message: string }>;
}

/** Opens the journal in `dir`, collecting what replay delivers and what it warns about. */
export async function openCollecting(dir: string, options: JournalOptions = {}): Promise<Replayed> {
  const records: JournalRecord[] = [];
  const ends: JournalPosition[] = [];
  const warnings: Replayed['warnings'] = [];
  const journal = await Journal.open(dir, {
    ...options,
    logger: { warn: (details, message) => warnings.push({ details, message }) },
    replay: (record, end) => {
      // Payloads are views into the file buffer: copy to prove nothing depends on that buffer.
      records.push(record.type === 'addEntry' ? { ...record, payload: Buffer.from(record.payload) } : record);
      ends.push(end);
    },
  });
  return { journal, records, ends, warnings };
}

/** Appends `records` in groups of `concurrency` (each group in flight together). */
export async function appendAll(journal: Journal, records: JournalRecord[], concurrency = 50): Promise<JournalPosition[]> {
  const ends: JournalPosition[] = [];
  for (let i = 0; i < records.length; i += concurrency) {
    ends.push(...(await Promise.all(records.slice(i, i + concurrency).map((r) => journal.append(r)))));
  }
  return ends;
}

export const realSync: SyncFunction = (handle, kind) => (kind === 'data' ? handle.datasync() : handle.sync());

/** Real syncs, except that the nth file sync (n counted from 1) throws `error` when `failsOn(n)`. */
export class FailingFileSyncs {
  fileSyncs = 0;
  constructor(
    private readonly failsOn: (n: number) => boolean,
    private readonly error: Error,
  ) {}

  readonly sync: SyncFunction = async (handle, kind) => {
    if (kind === 'file' && this.failsOn(++this.fileSyncs)) throw this.error;
    return realSync(handle, kind);
  };
}

/** A sync function that logs every call's kind into `log`, then really syncs. */
export function loggingSync(log: string[]): SyncFunction {
  return async (handle, kind) => {
    log.push(`${kind}:start`);
    await realSync(handle, kind);
    log.push(kind);
  };
}

/**
 * Data syncs wait until the test opens their gate (other kinds pass through): lets a test observe
 * the journal while a group-commit sync is in flight.
 */
export class GatedSync {
  readonly gates: Array<() => void> = [];
  inFlight = 0;
  maxInFlight = 0;
  readonly sync: SyncFunction = async (handle: FileHandle, kind: SyncKind) => {
    if (kind !== 'data') return realSync(handle, kind);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    await handle.datasync();
    this.inFlight--;
  };

  open(index: number): void {
    this.gates[index]();
  }
}

/** Data syncs that wait until release(), then fail with EIO (other kinds really sync): a failing group commit. */
export class FailingSync {
  dataSyncs = 0;
  private releaseHeld: () => void = () => undefined;
  readonly sync: SyncFunction = async (handle: FileHandle, kind: SyncKind) => {
    if (kind !== 'data') return realSync(handle, kind);
    this.dataSyncs++;
    await new Promise<void>((resolve) => (this.releaseHeld = resolve));
    throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  };

  release(): void {
    this.releaseHeld();
  }
}

/** Lets every pending immediate, I/O callback and microtask run a few times over. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
