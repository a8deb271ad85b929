// The local directory store against the shared conformance suite, plus what only it has: the file
// format, the key-to-path mapping, crash leftovers and a missing root.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BucketNotFoundError, LOCAL_OBJECT_FORMAT_VERSION, LocalDirectoryObjectStore, ObjectCorruptError } from '../../../objectstore/index.js';
import { describeObjectStoreConformance, listKeys } from '../../conformance/object-store-conformance.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-objects-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

describeObjectStoreConformance('local directory', {
  open: async () => LocalDirectoryObjectStore.open({ root: await tempDir() }),
});

describe('LocalDirectoryObjectStore on disk', () => {
  it('stores each object as <root>/<segments>~ with a versioned header and leaves no temp file', async () => {
    const root = await tempDir();
    const store = await LocalDirectoryObjectStore.open({ root });
    await store.put('ledgers/7/data', Buffer.from('payload'), { metadata: { crc32c: 'abcd' } });
    await store.putMultipart('ledgers/7/index', (async function* () { yield Buffer.from('ix'); })());
    const file = await fs.readFile(path.join(root, 'ledgers', '7', 'data~'));
    const meta = Buffer.from('{"crc32c":"abcd"}');
    expect(file.subarray(0, 9)).toEqual(Buffer.from([0x53, 0x4f, 0x42, 0x4a, LOCAL_OBJECT_FORMAT_VERSION, 0, 0, 0, meta.length]));
    expect(file.subarray(9)).toEqual(Buffer.concat([meta, Buffer.from('payload')]));
    expect(await fs.readdir(path.join(root, '.tmp'))).toEqual([]);
    expect((await fs.readdir(path.join(root, 'ledgers', '7'))).sort()).toEqual(['data~', 'index~']);
  });

  it('refuses an object file of an unknown format version or without a header', async () => {
    const root = await tempDir();
    const store = await LocalDirectoryObjectStore.open({ root });
    await store.put('k', Buffer.from('v'));
    const file = path.join(root, 'k~');
    const bytes = await fs.readFile(file);
    bytes[4] = 9;
    await fs.writeFile(file, bytes);
    await expect(store.get('k')).rejects.toThrow(/format version 9; this version of Strata reads 1/);
    await expect(store.head('k')).rejects.toBeInstanceOf(ObjectCorruptError);
    await fs.writeFile(file, 'plain text, no header');
    await expect(store.getRange('k', 0, 1)).rejects.toBeInstanceOf(ObjectCorruptError);
    await fs.writeFile(file, Buffer.from([0x53, 0x4f, 0x42, 0x4a, 1, 0, 0, 0, 200, 0x7b]));
    await expect(store.get('k')).rejects.toThrow(/metadata length of 200/);
  });

  it('lists only what it wrote: foreign files and dot-directories are skipped', async () => {
    const root = await tempDir();
    const store = await LocalDirectoryObjectStore.open({ root });
    await store.put('d/x', Buffer.from('1'));
    await fs.writeFile(path.join(root, 'd', 'foreign.txt'), 'x');
    await fs.writeFile(path.join(root, 'd', 'not%2eCanonical~'), 'x');
    await fs.mkdir(path.join(root, '.other'));
    await fs.writeFile(path.join(root, '.other', 'y~'), 'x');
    expect(await listKeys(store, '')).toEqual(['d/x']);
  });

  it('delete prunes the directories it left empty, and a put into a pruned directory still works', async () => {
    const root = await tempDir();
    const store = await LocalDirectoryObjectStore.open({ root });
    await store.put('a/b/c/d', Buffer.from('1'));
    await store.put('a/keep', Buffer.from('2'));
    await store.delete('a/b/c/d');
    expect((await fs.readdir(root)).sort()).toEqual(['.tmp', 'a']);
    expect(await fs.readdir(path.join(root, 'a'))).toEqual(['keep~']);
    await Promise.all([store.put('a/b/c/e', Buffer.from('3')), store.delete('a/b/c/d'), store.put('a/b/f', Buffer.from('4'))]);
    expect(await listKeys(store, 'a/')).toEqual(['a/b/c/e', 'a/b/f', 'a/keep']);
  });

  it('removes temp files of interrupted puts at open once they are an hour old, and keeps younger ones', async () => {
    const root = await tempDir();
    await (await LocalDirectoryObjectStore.open({ root })).close();
    const old = path.join(root, '.tmp', '1-old');
    const young = path.join(root, '.tmp', '2-young');
    await fs.writeFile(old, 'partial');
    await fs.writeFile(young, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await fs.utimes(old, twoHoursAgo, twoHoursAgo);
    const store = await LocalDirectoryObjectStore.open({ root });
    expect(await fs.readdir(path.join(root, '.tmp'))).toEqual(['2-young']);
    expect(await listKeys(store, '')).toEqual([]);
  });

  it('a missing root is BucketNotFoundError: at open without create, and from verify and put once removed', async () => {
    const parent = await tempDir();
    const root = path.join(parent, 'objects');
    await expect(LocalDirectoryObjectStore.open({ root, create: false })).rejects.toBeInstanceOf(BucketNotFoundError);
    const store = await LocalDirectoryObjectStore.open({ root });
    await store.verify();
    await fs.rm(root, { recursive: true });
    await expect(store.verify()).rejects.toBeInstanceOf(BucketNotFoundError);
    await expect(store.put('k', Buffer.from('v'))).rejects.toBeInstanceOf(BucketNotFoundError);
    await fs.writeFile(root, 'a file, not a directory');
    await expect(store.verify()).rejects.toBeInstanceOf(BucketNotFoundError);
  });
});
