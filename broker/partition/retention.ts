// Which ledgers retention deletes (design.md, "Retention"): acknowledged data — before every
// subscription's mark-delete position — is kept until it is older than the retention time or the
// acknowledged data passes the retention size, whichever comes first; always whole ledgers, never the
// ledger being written. With no subscription at all, everything counts as acknowledged.
import type { LedgerInfo, Position } from '../managed-ledger/index.js';

export interface RetentionPolicy {
  /** Default 1 day. */
  retentionMs: number;
  /** Default 10 GiB. */
  retentionBytes: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { retentionMs: 24 * 60 * 60 * 1000, retentionBytes: 10 * 1024 ** 3 };

/** The highest ledger id that may be deleted, or undefined if none. `slowest` is the minimum mark-delete. */
export function ledgersToTrim(ledgers: readonly LedgerInfo[], slowest: Position | undefined, policy: RetentionPolicy, now = Date.now()): number | undefined {
  // Closed ledgers wholly at or before the slowest mark-delete position are acknowledged.
  const acked = ledgers.filter(
    (l, i) =>
      i < ledgers.length - 1 &&
      l.entries !== undefined &&
      (slowest === undefined || l.ledgerId < slowest.ledgerId || (l.ledgerId === slowest.ledgerId && slowest.entryId >= l.entries - 1)),
  );
  let bytes = acked.reduce((s, l) => s + l.size, 0);
  let last: number | undefined;
  for (const l of acked) {
    const old = now - (l.closedAt ?? l.createdAt) > policy.retentionMs;
    if (!old && bytes <= policy.retentionBytes) break;
    last = l.ledgerId;
    bytes -= l.size;
  }
  return last;
}
