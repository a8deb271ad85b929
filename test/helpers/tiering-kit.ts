// Shared steps of the tiering tests: write a closed ledger of deterministic entries, open the shared
// s3rver (or a local directory) on a fresh prefix, check what bookies and objects hold.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { LedgerClient } from '../../ledger/index.js';
import { DEFAULT_OFFLOAD_PREFIX, LocalDirectoryObjectStore, type ObjectStore, type S3ObjectStoreOptions } from '../../objectstore/index.js';
import { S3ObjectStore } from '../../objectstore/s3/index.js';
import { keys, type MetadataStore } from '../../metadata/index.js';
import { BookieStatus } from '../../protocol/index.js';
import type { SharedS3 } from './global-setup.js';
import { payloadFor } from './payload.js';

export interface WrittenLedger {
  id: number;
  entries: number;
  bytes: number;
  entrySize?: number;
}

/** Writes `entries` entries (payloadFor(id, e, entrySize)) to a new ledger and closes it. */
export async function writeClosedLedger(client: LedgerClient, entries: number, entrySize?: number, quorums = { ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 }): Promise<WrittenLedger> {
  const writer = await client.createLedger(quorums);
  const id = writer.ledgerId;
  let bytes = 0;
  const window = 64;
  for (let first = 0; first < entries; first += window) {
    const batch = Array.from({ length: Math.min(window, entries - first) }, (_, i) => payloadFor(id, first + i, entrySize));
    bytes += batch.reduce((s, b) => s + b.length, 0);
    await Promise.all(batch.map((p) => writer.append(p)));
  }
  await writer.close();
  await client.clearIntent(id);
  return { id, entries, bytes, entrySize };
}

/** A store on the shared s3rver under a fresh prefix. */
export function sharedS3Store(endpoint: string, s3: SharedS3, overrides: Partial<S3ObjectStoreOptions> = {}): S3ObjectStore {
  return new S3ObjectStore({
    endpoint, bucket: s3.bucket, region: s3.region, credentials: s3.credentials, forcePathStyle: true,
    prefix: `tiering-${randomBytes(5).toString('hex')}`, requestTimeoutMs: 10_000, connectTimeoutMs: 2000, ...overrides,
  });
}

export async function localStore(): Promise<{ store: LocalDirectoryObjectStore; root: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-tiering-'));
  return { store: await LocalDirectoryObjectStore.open({ root }), root };
}

/** Reads entries 0..n-1 through `reader` in batches and checks every byte and CRC. */
export async function expectLedgerContent(
  reader: { read(first: number, last: number): Promise<Array<{ entryId: number; crc: number; payload: Buffer }>>; lastReadable: number },
  ledger: WrittenLedger,
  batch = 50,
): Promise<void> {
  expect(reader.lastReadable).toBe(ledger.entries - 1);
  let bytes = 0;
  for (let first = 0; first < ledger.entries; first += batch) {
    const got = await reader.read(first, Math.min(ledger.entries - 1, first + batch - 1));
    for (const [i, e] of got.entries()) {
      expect(e.entryId).toBe(first + i);
      const want = payloadFor(ledger.id, e.entryId, ledger.entrySize);
      if (!e.payload.equals(want)) expect.fail(`ledger ${ledger.id} entry ${e.entryId}: payload differs`);
      bytes += e.payload.length;
    }
  }
  expect(bytes).toBe(ledger.bytes);
}

/**
 * For each bookie of a one-fragment ensemble (in ensemble order), whether it still serves the entry at
 * its own position (entry p is stored on the bookie at position p, whatever the write quorum).
 */
export async function bookiesHoldLedger(client: LedgerClient, ledgerId: number, ensemble: string[]): Promise<boolean[]> {
  return Promise.all(ensemble.map(async (b, position) => {
    const res = await (await client.pool.get(b)).readEntries({ ledgerId, firstEntryId: position, lastEntryId: position, maxBytes: 1 << 20 });
    return res.status === BookieStatus.OK;
  }));
}

/** Every object key of `ledgerId` under the default offload prefix. */
export async function objectKeysOf(store: ObjectStore, ledgerId: number): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(`${DEFAULT_OFFLOAD_PREFIX}${String(ledgerId).padStart(16, '0')}-`)) out.push(o.key);
  return out;
}

/** The offload intents still present for `ledgerId`. */
export async function intentsOf(metadata: MetadataStore, ledgerId: number): Promise<string[]> {
  const { entries } = await metadata.list(keys.objectIntent(`${DEFAULT_OFFLOAD_PREFIX}${String(ledgerId).padStart(16, '0')}-`));
  return entries.map((e) => e.key);
}
