// The owner epoch: the ownership key of a partition and the revision at which this broker created it.
// Every metadata write an owner makes carries a compare on it, so a broker that lost the partition
// (even one still running after a long pause) can change nothing.
import type { Compare } from '../../metadata/index.js';

/** Shared by every writer of one partition; a rebind after a lost session moves `createRevision`. */
export interface OwnerEpoch {
  key: string;
  createRevision: number;
}

export function ownerCompare(epoch: OwnerEpoch): Compare {
  return { key: epoch.key, createRevision: epoch.createRevision };
}
