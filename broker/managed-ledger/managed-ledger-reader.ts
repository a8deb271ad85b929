// Reads a partition's log in order across its ledgers: recent entries from the cache, the rest from
// the bookies (any replica). Only confirmed entries are ever returned.
import type { LedgerClient, LedgerWriter } from '../../ledger/index.js';
import type { EntryCache } from './entry-cache.js';
import type { LedgerInfo } from './partition-log-metadata.js';
import type { Position } from './position.js';

/** What reads one ledger: the ledger client's reader, or an offloaded ledger's reader. */
export interface EntryReader {
  readonly lastReadable: number;
  read(first: number, last: number): Promise<Array<{ entryId: number; payload: Buffer }>>;
  advanceLac?(lac: number): void;
}

/** Opens a reader of a closed ledger wherever it lives (bookies or object store). */
export type ClosedLedgerOpener = (ledgerId: number) => Promise<EntryReader>;

export interface LogEntry {
  position: Position;
  data: Buffer;
}

export class ManagedLedgerReader {
  private readonly readers = new Map<number, EntryReader>();

  constructor(
    private readonly ledgers: LedgerClient,
    private readonly cache: EntryCache,
    private readonly list: () => readonly LedgerInfo[],
    private readonly currentWriter: () => LedgerWriter | undefined,
    private readonly openClosed: ClosedLedgerOpener = (id) => ledgers.openReader(id),
  ) {}

  /** Entries of `info` that may be read now. */
  private readable(info: LedgerInfo): number {
    if (info.entries !== undefined) return info.entries;
    const w = this.currentWriter();
    return w && w.ledgerId === info.ledgerId ? w.lac + 1 : 0;
  }

  /** The first position of the log, undefined when it holds nothing. */
  firstPosition(): Position | undefined {
    return this.normalize({ ledgerId: 0, entryId: 0 });
  }

  /** The first readable position at or after `p`, undefined when there is none yet. */
  normalize(p: Position): Position | undefined {
    for (const info of this.list()) {
      if (info.ledgerId < p.ledgerId) continue;
      const start = info.ledgerId === p.ledgerId ? p.entryId : 0;
      if (start < this.readable(info)) return { ledgerId: info.ledgerId, entryId: start };
    }
    return undefined;
  }

  /** The position right after `p` (it may not be readable yet). */
  next(p: Position): Position {
    const info = this.list().find((l) => l.ledgerId === p.ledgerId);
    if (info?.entries !== undefined && p.entryId + 1 >= info.entries) {
      const after = this.list().find((l) => l.ledgerId > p.ledgerId);
      if (after) return { ledgerId: after.ledgerId, entryId: 0 };
    }
    return { ledgerId: p.ledgerId, entryId: p.entryId + 1 };
  }

  /** Up to `maxEntries` confirmed entries from `from` on (fewer past `maxBytes`; at least one if any). */
  async read(from: Position, maxEntries: number, maxBytes = 8 * 1024 * 1024): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    let bytes = 0;
    let at = this.normalize(from);
    while (at && out.length < maxEntries && (out.length === 0 || bytes < maxBytes)) {
      const info = this.list().find((l) => l.ledgerId === at!.ledgerId)!;
      const last = Math.min(this.readable(info) - 1, at.entryId + (maxEntries - out.length) - 1);
      const batch = await this.readLedger(info, at.entryId, last);
      for (const e of batch) {
        out.push(e);
        bytes += e.data.length;
      }
      at = this.normalize({ ledgerId: info.ledgerId, entryId: last + 1 });
    }
    return out;
  }

  private async readLedger(info: LedgerInfo, first: number, last: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    let entryId = first;
    // Cached entries first; the rest from the bookies in one range read.
    while (entryId <= last) {
      const cached = this.cache.get(info.ledgerId, entryId);
      if (!cached) break;
      out.push({ position: { ledgerId: info.ledgerId, entryId }, data: cached });
      entryId++;
    }
    if (entryId > last) return out;
    const reader = await this.readerFor(info);
    for (const e of await reader.read(entryId, last)) out.push({ position: { ledgerId: info.ledgerId, entryId: e.entryId }, data: e.payload });
    return out;
  }

  private async readerFor(info: LedgerInfo): Promise<EntryReader> {
    let reader = this.readers.get(info.ledgerId);
    if (!reader || (info.entries !== undefined && reader.lastReadable < info.entries - 1)) {
      reader = info.entries !== undefined ? await this.openClosed(info.ledgerId) : await this.ledgers.openReader(info.ledgerId);
      this.readers.set(info.ledgerId, reader);
    }
    const w = this.currentWriter();
    if (w && w.ledgerId === info.ledgerId) reader.advanceLac?.(w.lac);
    return reader;
  }

  /** Forgets a ledger that was deleted or trimmed. */
  forget(ledgerId: number): void {
    this.readers.delete(ledgerId);
  }
}
