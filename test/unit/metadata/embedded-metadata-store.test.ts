// The embedded store against the shared conformance suite, plus its durability across reopen.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedMetadataStore, StoreCorruptError, StoreLockedError, type Entry } from '../../../metadata/index.js';
import { describeMetadataStoreConformance } from '../../conformance/metadata-store-conformance.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-embedded-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describeMetadataStoreConformance('embedded', {
  open: async () => EmbeddedMetadataStore.open(await tempDir()),
  revokeSession: (store, session) => (store as EmbeddedMetadataStore).revokeSession(session.id),
});

describe('EmbeddedMetadataStore durability', () => {
  it('keeps every key, version and the counter across a reopen; session keys are gone', async () => {
    const dir = await tempDir();
    const s1 = await EmbeddedMetadataStore.open(dir);
    const session = await s1.createSession();
    const v = await s1.put('/k', Buffer.from('v'));
    await s1.put('/bound', Buffer.from('b'), { session });
    await s1.increment('/n');
    await s1.increment('/n');
    await s1.close();
    const s2 = await EmbeddedMetadataStore.open(dir);
    const k = (await s2.get('/k')) as Entry;
    expect(k.value.toString()).toBe('v');
    expect(k.version).toBe(v);
    expect(await s2.increment('/n')).toBe(3);
    // `close` revoked the session; a later put gets a newer revision than anything before.
    expect(await s2.get('/bound')).toBeUndefined();
    expect(await s2.put('/k', Buffer.from('w'))).toBeGreaterThan(v);
    await s2.close();
  });

  it('survives many snapshots and replays the log after the last one', async () => {
    const dir = await tempDir();
    const s1 = await EmbeddedMetadataStore.open(dir, { snapshotAfterBytes: 4096 });
    for (let i = 0; i < 300; i++) await s1.put(`/many/${i % 50}`, Buffer.from(`value-${i}`));
    const listed = await s1.list('/many/');
    await s1.close();
    const s2 = await EmbeddedMetadataStore.open(dir);
    expect((await s2.list('/many/')).entries).toEqual(listed.entries);
    await s2.close();
  });

  it('cuts a torn last log record and refuses a corrupt record followed by valid ones', async () => {
    const dir = await tempDir();
    const s1 = await EmbeddedMetadataStore.open(dir);
    await s1.put('/a', Buffer.from('1'));
    await s1.put('/b', Buffer.from('2'));
    await s1.close();
    const wal = path.join(dir, 'wal.log');
    const intact = await fs.readFile(wal);
    // Torn tail: half a record appended.
    await fs.writeFile(wal, Buffer.concat([intact, Buffer.from([0, 0, 0, 50, 1, 2, 3])]));
    const s2 = await EmbeddedMetadataStore.open(dir);
    expect(((await s2.get('/b')) as Entry).value.toString()).toBe('2');
    await s2.close();
    // Corruption in the middle: flip a byte of the first record's body.
    const now = await fs.readFile(wal);
    const corrupt = Buffer.from(now);
    corrupt[8 + 8 + 2] ^= 0xff;
    await fs.writeFile(wal, corrupt);
    await expect(EmbeddedMetadataStore.open(dir)).rejects.toBeInstanceOf(StoreCorruptError);
  });

  it('refuses a second open of the same directory while the first is open', async () => {
    const dir = await tempDir();
    const s1 = await EmbeddedMetadataStore.open(dir);
    await expect(EmbeddedMetadataStore.open(dir)).rejects.toBeInstanceOf(StoreLockedError);
    await s1.close();
    const s2 = await EmbeddedMetadataStore.open(dir);
    await s2.close();
  });
});
