// Recording an offload in the ledger metadata: one transaction that compares the ledger's version and
// the attempt's own intent, writes the offload record and deletes the intent. Compare-and-set decides
// which of several offloaders wins; an intent that vanished (session expired) voids the attempt.
import { decodeLedgerMetadata, encodeLedgerMetadata, type LedgerMetadata, type LedgerOffload } from '../../ledger/index.js';
import { BadVersionError, keys, type MetadataStore, type Revision } from '../../metadata/index.js';
import { Backoff, delay } from '../../common/index.js';
import { LedgerNotOffloadableError, OffloadIntentLostError, OffloadOutcomeUnknownError } from './offload-errors.js';

export interface VersionedMetadata {
  metadata: LedgerMetadata;
  version: Revision;
}

export type RecordOutcome = { outcome: 'recorded'; version: Revision } | { outcome: 'lost'; winner: string };

export async function readLedger(store: MetadataStore, ledgerId: number): Promise<VersionedMetadata | undefined> {
  const entry = await store.get(keys.ledger(ledgerId));
  return entry === undefined ? undefined : { metadata: decodeLedgerMetadata(entry.value), version: entry.version };
}

export interface RecordRequest {
  current: VersionedMetadata;
  intentKey: string;
  intentRevision: Revision;
  offload: LedgerOffload;
  /** How long to keep trying to learn the outcome of a transaction the store did not answer. */
  resolveWithinMs?: number;
}

/**
 * Records `offload` unless another offload is recorded first ('lost'). Throws OffloadIntentLostError
 * or LedgerNotOffloadableError when nothing was recorded and the object must be removed, and
 * OffloadOutcomeUnknownError when it cannot tell (the object must then be left for the sweeper).
 */
export async function recordOffload(store: MetadataStore, request: RecordRequest): Promise<RecordOutcome> {
  let { metadata, version } = request.current;
  const id = metadata.id;
  for (let tries = 0; ; tries++) {
    try {
      const revision = await store.txn({
        compares: [{ key: keys.ledger(id), version }, { key: request.intentKey, createRevision: request.intentRevision }],
        ops: [{ type: 'put', key: keys.ledger(id), value: encodeLedgerMetadata({ ...metadata, offload: request.offload }) }, { type: 'delete', key: request.intentKey }],
      });
      return { outcome: 'recorded', version: revision };
    } catch (err) {
      if (!(err instanceof BadVersionError)) return resolveUnknown(store, request, version, err);
    }
    const fresh = await readLedger(store, id);
    const settled = settledBy(fresh, request);
    if (settled) return settled;
    const intent = await store.get(request.intentKey);
    if (intent === undefined || intent.createRevision !== request.intentRevision) throw new OffloadIntentLostError(`ledger ${id}: the offload intent for ${request.intentKey} vanished before it was recorded`);
    // The ledger's metadata changed in some other way (it is closed, so rarely): compare again.
    if (tries >= 3) throw new OffloadOutcomeUnknownError(`ledger ${id}: its metadata keeps changing; offload not recorded`);
    ({ metadata, version } = fresh!);
  }
}

/** What a fresh read of the ledger says about the attempt, if it settles it. */
function settledBy(fresh: VersionedMetadata | undefined, request: RecordRequest): RecordOutcome | undefined {
  const id = request.current.metadata.id;
  if (fresh === undefined) throw new LedgerNotOffloadableError(`ledger ${id} was deleted while it was being offloaded`);
  const recorded = fresh.metadata.offload;
  if (recorded?.objectKey === request.offload.objectKey) return { outcome: 'recorded', version: fresh.version };
  if (recorded !== undefined) return { outcome: 'lost', winner: recorded.objectKey };
  if (fresh.metadata.state !== 'CLOSED') throw new LedgerNotOffloadableError(`ledger ${id} is ${fresh.metadata.state}`);
  return undefined;
}

/**
 * The recording transaction failed without an answer: it may have been applied, or may still be.
 * Fence it by deleting our intent under the same compares (so it can never apply later), or learn
 * from the ledger that it was applied. Gives up with OffloadOutcomeUnknownError.
 */
async function resolveUnknown(store: MetadataStore, request: RecordRequest, version: Revision, cause: unknown): Promise<RecordOutcome> {
  const id = request.current.metadata.id;
  const deadline = Date.now() + (request.resolveWithinMs ?? 30_000);
  const backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
  while (Date.now() < deadline) {
    try {
      await store.txn({
        compares: [{ key: keys.ledger(id), version }, { key: request.intentKey, createRevision: request.intentRevision }],
        ops: [{ type: 'delete', key: request.intentKey }],
      });
      throw new OffloadIntentLostError(`ledger ${id}: recording the offload failed (${String(cause)}); the attempt was withdrawn`, { cause });
    } catch (err) {
      if (err instanceof OffloadIntentLostError) throw err;
      if (err instanceof BadVersionError) {
        const settled = settledBy(await readLedger(store, id), request);
        if (settled) return settled;
        // Not recorded, and the intent or the version changed: the recording transaction can never apply.
        throw new OffloadIntentLostError(`ledger ${id}: recording the offload failed (${String(cause)}) and cannot apply any more`, { cause });
      }
    }
    await delay(backoff.next());
  }
  throw new OffloadOutcomeUnknownError(`ledger ${id}: cannot tell whether the offload to ${request.offload.objectKey} was recorded`, { cause });
}

/** Marks the bookie copies of an offloaded ledger as deleted (compare-and-set; retried on a race). */
export async function recordLocalCopiesDeleted(store: MetadataStore, ledgerId: number, at: number): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    const current = await readLedger(store, ledgerId);
    const offload = current?.metadata.offload;
    if (current === undefined || offload === undefined || offload.localCopiesDeletedAt !== undefined) return;
    try {
      await store.put(keys.ledger(ledgerId), encodeLedgerMetadata({ ...current.metadata, offload: { ...offload, localCopiesDeletedAt: at } }), { expectedVersion: current.version });
      return;
    } catch (err) {
      if (!(err instanceof BadVersionError)) throw err;
    }
  }
  throw new OffloadOutcomeUnknownError(`ledger ${ledgerId}: its metadata keeps changing; the deletion of its bookie copies is not recorded yet`);
}
