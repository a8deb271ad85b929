// Deleting the bookie copies of an offloaded ledger (invariant 5): only when its metadata records the
// offload, only after the grace period (the caller's schedule), and only after a fresh check that the
// recorded object is there with the recorded size and checksum.
import type { LedgerClient } from '../../ledger/index.js';
import type { MetadataStore } from '../../metadata/index.js';
import type { ObjectStore } from '../object-store.js';
import type { RetryOptions } from '../with-retries.js';
import { checkRecordedObject } from './offload-verification.js';
import { readLedger, recordLocalCopiesDeleted } from './offload-record.js';

export interface LocalCopyDeletionContext {
  ledgers: LedgerClient;
  metadata: MetadataStore;
  objects: ObjectStore;
  storeRetry: RetryOptions;
}

/**
 * Returns 'deleted' after deleting and recording, 'nothing-to-do' when the ledger is gone, not
 * offloaded, or already done. Throws (and deletes nothing) when the object store cannot confirm the
 * object (OffloadedObjectMismatchError, or the store's own error) or a bookie cannot be reached.
 */
export async function deleteLocalCopies(ctx: LocalCopyDeletionContext, ledgerId: number, now = Date.now()): Promise<'deleted' | 'nothing-to-do'> {
  const current = await readLedger(ctx.metadata, ledgerId);
  const offload = current?.metadata.offload;
  if (current === undefined || current.metadata.state !== 'CLOSED' || offload === undefined || offload.localCopiesDeletedAt !== undefined) return 'nothing-to-do';
  await checkRecordedObject(ctx.objects, ledgerId, offload, ctx.storeRetry);
  await ctx.ledgers.deleteBookieCopies(ledgerId);
  await recordLocalCopiesDeleted(ctx.metadata, ledgerId, now);
  return 'deleted';
}
