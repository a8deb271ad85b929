// Who claims an unowned partition: its assignee if that broker is live and not draining, otherwise the
// broker asked (the interim rule) — unless the broker asked is draining, which never claims: it sends the
// client to a live, non-draining broker chosen by a stable hash of the partition, so every draining
// broker points the same way.
import { partitionForKey } from '../../protocol/index.js';
import type { PartitionRef } from '../../metadata/index.js';
import type { LiveBroker } from './placement-store.js';

export type ClaimDecision = { kind: 'claim' } | { kind: 'elsewhere'; broker: LiveBroker } | { kind: 'unavailable'; reason: string };

export interface ClaimInput {
  /** The broker asked. */
  self: string;
  p: PartitionRef;
  assignee: string | undefined;
  /** The live brokers (sorted by id), with their draining flags. */
  brokers: readonly LiveBroker[];
}

export function decideClaim({ self, p, assignee, brokers }: ClaimInput): ClaimDecision {
  const assigned = brokers.find((b) => b.id === assignee && !b.draining);
  if (assigned) return assigned.id === self ? { kind: 'claim' } : { kind: 'elsewhere', broker: assigned };
  const selfDraining = brokers.find((b) => b.id === self)?.draining ?? false;
  if (!selfDraining) return { kind: 'claim' };
  const eligible = brokers.filter((b) => !b.draining);
  if (eligible.length === 0) return { kind: 'unavailable', reason: `broker ${self} is draining and no other broker takes partitions` };
  return { kind: 'elsewhere', broker: eligible[partitionForKey(`${p.topic}/${p.partition}`, eligible.length)]! };
}
