// Recording an offload when the metadata store does not answer the transaction: the attempt learns the
// real outcome (applied → recorded; not applied → withdrawn so it can never apply later), never guesses.
// Uses the embedded metadata store in a temp directory.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeLedgerMetadata, type LedgerMetadata, type LedgerOffload } from '../../../ledger/index.js';
import { EmbeddedMetadataStore, StoreUnavailableError, jsonValue, keys, type MetadataStore, type Txn } from '../../../metadata/index.js';
import { OffloadIntentLostError, OffloadOutcomeUnknownError } from '../../../objectstore/index.js';
import { readLedger, recordOffload } from '../../../objectstore/internal.js';

const ledger: LedgerMetadata = {
  id: 5, ensembleSize: 1, writeQuorum: 1, ackQuorum: 1, state: 'CLOSED', lastEntryId: 3, fragments: [{ firstEntryId: 0, ensemble: ['b1'] }], createdAt: 1, properties: {},
};
const offload: LedgerOffload = {
  objectKey: 'offloaded-ledgers/0000000000000005-x', size: 100, checksum: 'crc32c:00000001', formatVersion: 1, indexOffset: 40, blockSize: 4096,
  payloadBytes: 10, offloadedAt: 2, offloadedBy: 't',
};

/** A store whose next txn fails with StoreUnavailableError, after (`applied`) or instead of applying it. */
function flaky(store: MetadataStore, mode: { applied: boolean; failures: number }): MetadataStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'txn') return Reflect.get(target, prop, receiver) as unknown;
      return async (txn: Txn) => {
        if (mode.failures > 0) {
          mode.failures--;
          if (mode.applied) await target.txn(txn);
          throw new StoreUnavailableError('deadline exceeded');
        }
        return target.txn(txn);
      };
    },
  });
}

describe('recordOffload with an unanswered transaction', () => {
  let dir: string;
  let store: EmbeddedMetadataStore;
  let intentRevision: number;
  const intentKey = keys.objectIntent(offload.objectKey);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-record-'));
    store = await EmbeddedMetadataStore.open(dir);
    await store.put(keys.ledger(5), encodeLedgerMetadata(ledger));
    intentRevision = await store.put(intentKey, jsonValue({ owner: 't' }));
  });
  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('applied but unanswered: the attempt finds its own record and reports it recorded', async () => {
    const current = (await readLedger(store, 5))!;
    const result = await recordOffload(flaky(store, { applied: true, failures: 1 }), { current, intentKey, intentRevision, offload });
    expect(result.outcome).toBe('recorded');
    expect((await readLedger(store, 5))!.metadata.offload?.objectKey).toBe(offload.objectKey);
    expect(await store.get(intentKey)).toBeUndefined();
  });

  it('not applied: the attempt withdraws its intent, so the lost transaction can never apply later', async () => {
    const current = (await readLedger(store, 5))!;
    await expect(recordOffload(flaky(store, { applied: false, failures: 1 }), { current, intentKey, intentRevision, offload })).rejects.toBeInstanceOf(OffloadIntentLostError);
    expect(await store.get(intentKey)).toBeUndefined();
    expect((await readLedger(store, 5))!.metadata.offload).toBeUndefined();
    // The original transaction arriving late fails its compare on the intent.
    await expect(store.txn({
      compares: [{ key: keys.ledger(5), version: current.version }, { key: intentKey, createRevision: intentRevision }],
      ops: [{ type: 'put', key: keys.ledger(5), value: encodeLedgerMetadata({ ...ledger, offload }) }],
    })).rejects.toThrow();
  });

  it('a store that never answers: OffloadOutcomeUnknownError, and the intent is left in place', async () => {
    const current = (await readLedger(store, 5))!;
    const err = await recordOffload(flaky(store, { applied: false, failures: 1000 }), { current, intentKey, intentRevision, offload, resolveWithinMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OffloadOutcomeUnknownError);
    expect(await store.get(intentKey)).toBeDefined();
  });
});
