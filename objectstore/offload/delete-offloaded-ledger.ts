// Deleting a ledger that may be offloaded: its bookie copies and metadata (through the ledger client),
// then every object of the ledger under the offload prefix. The caller has already removed the ledger
// from its owner's list (a ledger in a list is never deleted).
import type { LedgerClient } from '../../ledger/index.js';
import type { ObjectStore } from '../object-store.js';
import { withRetries, type RetryOptions } from '../with-retries.js';
import type { BlockCache } from './block-cache.js';
import { DEFAULT_OFFLOAD_PREFIX, offloadObjectPrefixOf, parseOffloadObjectKey } from './offload-object-key.js';

export interface DeleteOffloadedLedgerOptions {
  ledgers: LedgerClient;
  objects: ObjectStore;
  prefix?: string;
  /** Drops the ledger's cached blocks too. */
  cache?: BlockCache;
  storeRetry?: RetryOptions;
}

/**
 * Deletes the metadata first, so no reader or offloader can find the ledger again, then the objects:
 * the recorded one and any left by failed attempts (an attempt still running fails its compare-and-set
 * on the deleted metadata and cleans up after itself). If an object deletion fails, nothing records
 * that object any more and the sweeper removes it. Idempotent; retry on error.
 */
export async function deleteOffloadedLedger(options: DeleteOffloadedLedgerOptions, ledgerId: number): Promise<{ objectsDeleted: number }> {
  const prefix = options.prefix ?? DEFAULT_OFFLOAD_PREFIX;
  const retry = options.storeRetry ?? { attempts: 3, backoff: { initialMs: 100, maxMs: 2000 } };
  let recorded: string | undefined;
  try {
    recorded = (await options.ledgers.readMetadata(ledgerId)).metadata.offload?.objectKey;
  } catch {
    // Already gone: still remove any object of it.
  }
  await options.ledgers.deleteLedger(ledgerId);
  const doomed = new Set<string>(recorded === undefined ? [] : [recorded]);
  for await (const o of options.objects.list(offloadObjectPrefixOf(prefix, ledgerId))) {
    if (parseOffloadObjectKey(prefix, o.key)?.ledgerId === ledgerId) doomed.add(o.key);
  }
  for (const key of doomed) {
    await withRetries(() => options.objects.delete(key), retry);
    options.cache?.dropObject(key);
  }
  return { objectsDeleted: doomed.size };
}
