// How the mover reaches the brokers of a move: this broker directly, the others through their internal
// routes (POST /internal/v1/partitions/{topic}/{p}/unload and …/load).
import type { PartitionRef } from '../../metadata/index.js';
import { forward } from '../routing/forward-client.js';
import type { MoveCalls } from './partition-mover.js';
import type { LiveBroker } from './placement-store.js';

/** What this broker does itself when it is the owner or the target of a move. */
export interface LocalMoves {
  readonly brokerId: string;
  localUnload(p: PartitionRef, to: string, binaryUrl: string): Promise<boolean>;
  localLoad(p: PartitionRef): Promise<void>;
}

const path = (p: PartitionRef, action: 'unload' | 'load') => `/internal/v1/partitions/${p.topic}/${p.partition}/${action}`;

export function moveCalls(local: LocalMoves): MoveCalls {
  return {
    async unload(owner: LiveBroker, p: PartitionRef, to: LiveBroker): Promise<void> {
      if (owner.id === local.brokerId) await local.localUnload(p, to.id, to.binaryUrl);
      else await forward(owner.httpUrl, 'POST', path(p, 'unload'), { to: to.id, binaryUrl: to.binaryUrl });
    },
    async load(target: LiveBroker, p: PartitionRef): Promise<void> {
      if (target.id === local.brokerId) await local.localLoad(p);
      else await forward(target.httpUrl, 'POST', path(p, 'load'));
    },
  };
}
