// Claiming a partition: its ownership key, created if absent and bound to this broker's session; the
// key's creation revision is the owner epoch every later metadata write checks. (The interim rule
// until the load manager assigns partitions: an unowned partition is claimed by the broker asked.)
import { KeyExistsError, keys, jsonValue, parseJson, type MetadataStore, type PartitionRef, type Session } from '../../metadata/index.js';
import { OwnershipLostError } from '../errors.js';
import type { OwnerEpoch } from '../managed-ledger/index.js';

export interface OwnershipValue {
  brokerId: string;
}

export type ClaimResult = { owned: true; epoch: OwnerEpoch } | { owned: false; owner: string };

export async function claimPartition(store: MetadataStore, session: Session, brokerId: string, p: PartitionRef): Promise<ClaimResult> {
  const key = keys.ownership(p);
  try {
    const createRevision = await store.put(key, jsonValue({ brokerId } satisfies OwnershipValue), { expectedVersion: 'absent', session });
    return { owned: true, epoch: { key, createRevision } };
  } catch (err) {
    if (!(err instanceof KeyExistsError)) throw err;
    const existing = await store.get(key);
    if (!existing) return claimPartition(store, session, brokerId, p);
    const owner = parseJson<OwnershipValue>(existing.value).brokerId;
    if (owner === brokerId) {
      // Ours from an earlier session of this broker id: it vanishes when that session expires.
      throw new OwnershipLostError(`partition ${p.topic}/${p.partition} is still held by a previous session of ${brokerId}; retry shortly`);
    }
    return { owned: false, owner };
  }
}

/** Gives a partition up: deletes the ownership key if it is still the one this owner created. */
export async function releasePartition(store: MetadataStore, epoch: OwnerEpoch): Promise<void> {
  await store.txn({ compares: [{ key: epoch.key, createRevision: epoch.createRevision }], ops: [{ type: 'delete', key: epoch.key }] }).catch(() => undefined);
}
