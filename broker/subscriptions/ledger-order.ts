// How an ack set learns a partition's ledger order: which ledger follows which, and where a closed ledger ends.
// Entry ids are contiguous within a ledger, but the next ledger starts at entry 0 of a higher (not adjacent) id.
import type { LedgerInfo } from '../managed-ledger/index.js';

/**
 * A read-only view of a partition's log. Ledger ids only grow within a partition, so "after" is "higher id".
 * Answers may change as the log rolls; whoever changes the log then calls `AckSet.refresh()`.
 */
export interface LedgerOrder {
  /**
   * The last entry id of a ledger that can receive no more entries; −1 if it holds none of this partition's
   * entries (empty, deleted, or not in the log); undefined while it may still grow (the open ledger).
   */
  lastEntryId(ledgerId: number): number | undefined;
  /** The first ledger of the log with an id above `ledgerId`, or undefined if there is none yet. */
  nextLedger(ledgerId: number): number | undefined;
}

/**
 * A LedgerOrder over the managed ledger's list, read afresh on every call (no copy per subscription). The list is
 * sorted by ledger id (a new ledger is appended with a higher id); `entries` is set once a ledger is closed.
 */
export function ledgerOrderOf(ledgers: () => readonly LedgerInfo[]): LedgerOrder {
  return {
    lastEntryId(ledgerId) {
      const list = ledgers();
      const i = firstAtOrAbove(list, ledgerId);
      if (i === list.length || list[i].ledgerId !== ledgerId) return -1;
      const entries = list[i].entries;
      return entries === undefined ? undefined : entries - 1;
    },
    nextLedger(ledgerId) {
      const list = ledgers();
      const i = firstAtOrAbove(list, ledgerId + 1);
      return i === list.length ? undefined : list[i].ledgerId;
    },
  };
}

function firstAtOrAbove(list: readonly LedgerInfo[], ledgerId: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].ledgerId < ledgerId) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
