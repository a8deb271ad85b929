// Reading a ledger's entries from any replica of each entry's write set, trying the next replica on
// an error or a slow answer. Reads never go past what is confirmed: the last entry of a closed
// ledger, or the last-add-confirmed of an open one (readers tail with the LAC, never past it).
import { BookieStatus, type LedgerEntry } from '../../protocol/index.js';
import { EntryOutOfRangeError, ReadFailedError } from '../errors.js';
import { fragmentOf, writeSet, type LedgerMetadata } from '../metadata/ledger-metadata.js';
import type { BookiePool } from '../bookies/bookie-pool.js';

export interface LedgerReaderOptions {
  /** After this long without an answer the next replica is asked as well. Default 2 s. */
  speculativeReadMs?: number;
  /** Bytes per range read. Default 4 MiB. */
  maxReadBytes?: number;
}

export class LedgerReader {
  private readonly speculativeReadMs: number;
  private readonly maxReadBytes: number;
  private rotation = 0;

  constructor(
    private readonly pool: BookiePool,
    private metadata: LedgerMetadata,
    options: LedgerReaderOptions = {},
  ) {
    this.speculativeReadMs = options.speculativeReadMs ?? 2000;
    this.maxReadBytes = options.maxReadBytes ?? 4 * 1024 * 1024;
  }

  get ledgerId(): number {
    return this.metadata.id;
  }

  /** The last readable entry: the last entry when closed; for an open ledger, the best-known LAC. */
  get lastReadable(): number {
    return this.metadata.state === 'CLOSED' ? this.metadata.lastEntryId : this.knownLac;
  }

  private knownLac = -1;

  /** Raises the known LAC of an open ledger (its writer knows it first-hand). */
  advanceLac(lac: number): void {
    if (lac > this.knownLac) this.knownLac = lac;
  }

  /** Refreshes the metadata (e.g. after the ledger was closed). */
  update(metadata: LedgerMetadata): void {
    this.metadata = metadata;
  }

  /** The LAC of an open ledger, from the bookies of its last fragment (highest answer). */
  async readLac(longPoll?: { previousLac: number; timeoutMs: number }): Promise<number> {
    const last = this.metadata.fragments[this.metadata.fragments.length - 1]!;
    const answers = await Promise.allSettled(last.ensemble.map(async (b) => (await this.pool.get(b)).readLac(this.metadata.id, longPoll)));
    let lac = -1;
    let any = false;
    for (const a of answers) {
      if (a.status === 'fulfilled' && a.value.status === BookieStatus.OK) {
        any = true;
        lac = Math.max(lac, a.value.lac);
      }
    }
    if (!any) throw new ReadFailedError(`no bookie of ledger ${this.metadata.id} answered its LAC`);
    this.knownLac = Math.max(this.knownLac, lac);
    return this.knownLac;
  }

  /** Entries first..last in order; all of them must be readable (≤ lastReadable). */
  async read(first: number, last: number): Promise<LedgerEntry[]> {
    if (first < 0 || last < first) throw new EntryOutOfRangeError(`bad range ${first}..${last}`);
    if (last > this.lastReadable) throw new EntryOutOfRangeError(`ledger ${this.metadata.id}: entry ${last} is past the last readable entry ${this.lastReadable}`);
    const out: LedgerEntry[] = [];
    let next = first;
    while (next <= last) {
      const fragment = fragmentOf(this.metadata, next);
      const entries = await this.readFrom(fragment.ensemble.length === this.metadata.writeQuorum ? fragment.ensemble : writeSet(fragment, next, this.metadata.writeQuorum), next, fragment.ensemble.length === this.metadata.writeQuorum ? last : next);
      out.push(...entries);
      next += entries.length;
    }
    return out;
  }

  /**
   * Reads from `bookies` (each holds every entry asked for), starting at a rotating one and asking the
   * next on an error, a missing entry, or no answer within the speculative timeout.
   */
  private readFrom(bookies: string[], first: number, last: number): Promise<LedgerEntry[]> {
    const start = this.rotation++ % bookies.length;
    const order = bookies.map((_, i) => bookies[(start + i) % bookies.length]!);
    return new Promise((resolve, reject) => {
      let done = false;
      let tried = 0;
      let failures = 0;
      let timer: NodeJS.Timeout | undefined;
      const errors: string[] = [];
      const tryNext = () => {
        if (done || tried >= order.length) return;
        const bookieId = order[tried++]!;
        clearTimeout(timer);
        timer = setTimeout(tryNext, this.speculativeReadMs);
        this.pool
          .get(bookieId)
          .then((c) => c.readEntries({ ledgerId: this.metadata.id, firstEntryId: first, lastEntryId: last, maxBytes: this.maxReadBytes }))
          .then(
            (res) => {
              if (done) return;
              if (res.status === BookieStatus.OK && res.entries.length > 0 && res.entries[0]!.entryId === first) {
                done = true;
                clearTimeout(timer);
                resolve(res.entries);
                return;
              }
              onFailure(`${bookieId}: status ${res.status}`);
            },
            (err: unknown) => onFailure(`${bookieId}: ${err instanceof Error ? err.message : String(err)}`),
          );
      };
      const onFailure = (why: string) => {
        if (done) return;
        errors.push(why);
        failures++;
        if (failures >= order.length) {
          done = true;
          clearTimeout(timer);
          reject(new ReadFailedError(`cannot read ledger ${this.metadata.id} entries ${first}..${last}: ${errors.join('; ')}`));
        } else tryNext();
      };
      tryNext();
    });
  }
}
