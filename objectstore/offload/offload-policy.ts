// Which ledgers to tier: a pure function the broker calls with its ledgers' metadata and the local
// disk's fill ratio, and whose answer it hands to Offloader.submit().
import type { LedgerMetadata } from '../../ledger/index.js';

export interface OffloadPolicy {
  /** A closed ledger created this long ago is offloaded (default 4 h). */
  minAgeMs: number;
  /** A closed ledger with this many payload bytes is offloaded (default 1 GiB). */
  minSizeBytes: number;
  /** Above this disk fill ratio (0..1) every closed ledger is offloaded, oldest first (default 0.85). */
  highWaterMark: number;
}

export const DEFAULT_OFFLOAD_POLICY: OffloadPolicy = { minAgeMs: 4 * 60 * 60 * 1000, minSizeBytes: 1024 ** 3, highWaterMark: 0.85 };

export type OffloadCandidate = Pick<LedgerMetadata, 'id' | 'state' | 'createdAt' | 'length' | 'offload'>;

/**
 * The ids of the ledgers that need tiering work, oldest first: CLOSED ledgers not yet offloaded that
 * are old enough, large enough, or on a disk past the high-water mark — and offloaded ledgers whose
 * bookie copies are not yet deleted (the offloader deletes them once their grace period is over).
 * Open and recovering ledgers are never chosen (invariant 4: only a closed ledger is immutable).
 */
export function selectLedgersToOffload(
  ledgers: Iterable<OffloadCandidate>,
  diskFillRatio: number,
  policy: Partial<OffloadPolicy> = {},
  now = Date.now(),
): number[] {
  const { minAgeMs, minSizeBytes, highWaterMark } = { ...DEFAULT_OFFLOAD_POLICY, ...policy };
  const pressed = diskFillRatio >= highWaterMark;
  const chosen: OffloadCandidate[] = [];
  for (const l of ledgers) {
    if (l.state !== 'CLOSED') continue;
    if (l.offload !== undefined) {
      if (l.offload.localCopiesDeletedAt === undefined) chosen.push(l);
      continue;
    }
    if (pressed || now - l.createdAt >= minAgeMs || (l.length ?? 0) >= minSizeBytes) chosen.push(l);
  }
  return chosen.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id).map((l) => l.id);
}
