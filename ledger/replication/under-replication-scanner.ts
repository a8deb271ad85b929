// Which fragments of which ledgers need new copies: a bookie of a fragment's ensemble that has not
// been registered for at least the grace period is gone, and the fragment's entries it held must be
// copied elsewhere. Only CLOSED ledgers that are not offloaded count: an open ledger's writer replaces
// its own failed bookies (ensemble change), and an offloaded ledger needs no bookie copies at all.
//
// The scanner holds no I/O: the caller lists the ledgers and the live bookies, the scanner decides.
// "Missing since" is tracked in memory from the first scan that saw a bookie unregistered, so a fresh
// scanner (a new runner after a lock hand-over) waits a full grace period again — never less.
import type { Fragment, LedgerMetadata } from '../metadata/ledger-metadata.js';

/** One fragment with gone bookies: the entries `firstEntryId..lastEntryId` held by them need copies. */
export interface UnderReplicatedFragment {
  ledgerId: number;
  /** Index of the fragment in the ledger's `fragments`. */
  fragmentIndex: number;
  /** The fragment's ensemble when scanned. */
  ensemble: string[];
  firstEntryId: number;
  /** Last entry of the fragment; below `firstEntryId` when the fragment holds no entry. */
  lastEntryId: number;
  /** Ensemble positions whose bookie is gone (past the grace period). */
  missingPositions: number[];
}

export interface ScanResult {
  /** Ledgers with at least one fragment naming a gone bookie. */
  underReplicatedLedgers: number;
  fragments: UnderReplicatedFragment[];
  /** Bookies unregistered now but still within the grace period (not acted on yet). */
  missingWithinGrace: string[];
}

export interface UnderReplicationScannerOptions {
  /** How long a bookie must stay unregistered before its copies are replaced. */
  graceMs: number;
}

/** The last entry of fragment `index` of a closed ledger. */
export function fragmentLastEntry(metadata: LedgerMetadata, index: number): number {
  const next = metadata.fragments[index + 1];
  return next ? Math.min(next.firstEntryId - 1, metadata.lastEntryId) : metadata.lastEntryId;
}

/** Whether auto-recovery is responsible for this ledger's copies (closed and still on bookies). */
export function needsBookieCopies(metadata: LedgerMetadata): boolean {
  return metadata.state === 'CLOSED' && metadata.offload === undefined;
}

export class UnderReplicationScanner {
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly options: UnderReplicationScannerOptions) {}

  /**
   * Decides, at time `now`, which fragments of `ledgers` need copies, given the bookies registered now.
   * Updates the missing-since record: a bookie seen registered again is forgotten.
   */
  scan(ledgers: readonly LedgerMetadata[], live: ReadonlySet<string>, now: number): ScanResult {
    for (const id of this.missingSince.keys()) if (live.has(id)) this.missingSince.delete(id);
    const gone = (id: string): boolean => {
      if (live.has(id)) return false;
      let since = this.missingSince.get(id);
      if (since === undefined) this.missingSince.set(id, (since = now));
      return now - since >= this.options.graceMs;
    };
    const fragments: UnderReplicatedFragment[] = [];
    const ledgerIds = new Set<number>();
    for (const metadata of ledgers) {
      if (!needsBookieCopies(metadata)) continue;
      metadata.fragments.forEach((fragment: Fragment, fragmentIndex) => {
        const missingPositions = fragment.ensemble.flatMap((b, p) => (gone(b) ? [p] : []));
        if (missingPositions.length === 0) return;
        ledgerIds.add(metadata.id);
        fragments.push({
          ledgerId: metadata.id,
          fragmentIndex,
          ensemble: [...fragment.ensemble],
          firstEntryId: fragment.firstEntryId,
          lastEntryId: fragmentLastEntry(metadata, fragmentIndex),
          missingPositions,
        });
      });
    }
    const missingWithinGrace = [...this.missingSince].filter(([, since]) => now - since < this.options.graceMs).map(([id]) => id);
    return { underReplicatedLedgers: ledgerIds.size, fragments, missingWithinGrace };
  }

  /** Forgets every missing-since time (a runner that was not scanning cannot know what happened meanwhile). */
  reset(): void {
    this.missingSince.clear();
  }

  /** Bookies currently seen missing, with the time they were first seen missing. */
  missing(): ReadonlyMap<string, number> {
    return this.missingSince;
  }
}
