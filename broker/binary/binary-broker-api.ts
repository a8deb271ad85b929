// What the binary protocol server needs from the broker: one interface, so the server stays testable.
import type { PartitionRef } from '../../metadata/index.js';
import type { Partition } from '../partition/partition.js';

export interface LookupResult {
  here: boolean;
  brokerId: string;
  binaryUrl: string;
  httpUrl: string;
}

export interface BinaryBrokerApi {
  readonly brokerId: string;
  isReady(): boolean;
  /** Partitions of a topic: InvalidNameError, TopicNotFoundError. */
  partitionCount(topic: string): Promise<number>;
  /** Where a partition is served; an unowned one is claimed by this broker (the interim rule). */
  lookup(p: PartitionRef): Promise<LookupResult>;
  /** The partition, if this broker serves it (claiming it when unowned); NotOwnerError otherwise. */
  servedPartition(p: PartitionRef): Promise<Partition>;
}
