// Rebuilds a partition's dedup state before it serves: the last snapshot, then every entry of the log
// after the position the snapshot covers. Snapshots are written by the owner (owner-epoch checked).
import { decodeMessageBatchHeader } from '../../protocol/index.js';
import { keys, type MetadataStore, type PartitionRef } from '../../metadata/index.js';
import type { ManagedLedger, OwnerEpoch } from '../managed-ledger/index.js';
import { DedupState } from './dedup-state.js';

export async function loadDedupState(store: MetadataStore, partition: PartitionRef, ml: ManagedLedger): Promise<{ state: DedupState; replayed: number }> {
  const entry = await store.get(keys.dedup(partition));
  const state = entry ? DedupState.fromSnapshot(Buffer.from(entry.value.toString('utf8'), 'base64')) : new DedupState();
  const covered = state.covered;
  let at = covered ? ml.reader.normalize(ml.reader.next(covered)) : ml.reader.firstPosition();
  let replayed = 0;
  while (at) {
    const batch = await ml.reader.read(at, 256);
    if (batch.length === 0) break;
    for (const e of batch) {
      state.applyBatchHeader(decodeMessageBatchHeader(e.data), e.position);
      replayed++;
    }
    at = ml.reader.normalize(ml.reader.next(batch[batch.length - 1]!.position));
  }
  return { state, replayed };
}

export async function saveDedupSnapshot(store: MetadataStore, partition: PartitionRef, epoch: OwnerEpoch, state: DedupState): Promise<void> {
  await store.txn({
    compares: [{ key: epoch.key, createRevision: epoch.createRevision }],
    ops: [{ type: 'put', key: keys.dedup(partition), value: Buffer.from(state.snapshot().toString('base64')) }],
  });
}
