// One conformance suite for every ObjectStore backend: the semantics the offloader and the readers of
// tiered ledgers rely on, with exact bytes and exact error classes.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidObjectKeyError, InvalidObjectMetadataError, InvalidRangeError, ObjectNotFoundError, ObjectStoreClosedError,
  type ObjectListing, type ObjectStore,
} from '../../objectstore/index.js';

export interface ObjectStoreHarness {
  /** A store on a fresh, empty prefix or directory. Backends that page their listings honour `listPageSize`. */
  open(options?: { listPageSize?: number }): Promise<ObjectStore>;
  /**
   * Known defects of a test server (not of our code) that skip the one test they break, with the
   * reason. `listOrder`: the server lists "a/b" before "a" and "a-x" (anything below '/' in byte
   * order), and its paging by last key then skips keys — s3rver walks its directories that way.
   * `atomicPut`: concurrent puts of one key can leave a mix of their bodies — s3rver streams each body into the
   * object's file in place (fs.createWriteStream on the final path), where S3, MinIO and Swift replace atomically.
   */
  serverGaps?: { listOrder?: string; atomicPut?: string };
}

const MiB = 1024 * 1024;
const b = (s: string) => Buffer.from(s);

export async function collect(listing: AsyncIterable<ObjectListing>): Promise<ObjectListing[]> {
  const out: ObjectListing[] = [];
  for await (const o of listing) out.push(o);
  return out;
}

export async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await collect(store.list(prefix))).map((o) => o.key);
}

async function* fromArray(parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield p;
}

/** UTF-8 byte order, which S3 lists in. */
function byteOrder(keys: string[]): string[] {
  return [...keys].sort((x, y) => Buffer.compare(b(x), b(y)));
}

export const BAD_KEYS = ['', '/abs', 'a//b', 'trailing/', 'a/../b', '..', '.', 'a/./b', '../escape', 'back\\slash', 'nul\0', 'line\nbreak', 'x'.repeat(1025)];

export function describeObjectStoreConformance(name: string, harness: ObjectStoreHarness): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    const opened: ObjectStore[] = [];
    const open = async (options?: { listPageSize?: number }) => {
      const s = await harness.open(options);
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('put then get returns the exact bytes, every byte value included, and a put replaces the object', async () => {
      const s = await open();
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const data = Buffer.concat([all, randomBytes(100_000), all]);
      await s.put('bin/one', data);
      expect((await s.get('bin/one')).equals(data)).toBe(true);
      await s.put('bin/one', b('replaced'));
      expect((await s.get('bin/one')).toString()).toBe('replaced');
      await s.put('bin/empty', Buffer.alloc(0));
      expect((await s.get('bin/empty')).length).toBe(0);
      expect((await s.head('bin/empty')).size).toBe(0);
    });

    it('getRange returns the first byte, a middle slice, the last byte and the whole object', async () => {
      const s = await open();
      const data = randomBytes(1000);
      await s.put('r', data);
      expect(await s.getRange('r', 0, 0)).toEqual(data.subarray(0, 1));
      expect(await s.getRange('r', 400, 611)).toEqual(data.subarray(400, 612));
      expect(await s.getRange('r', 999, 999)).toEqual(data.subarray(999));
      expect(await s.getRange('r', 0, 999)).toEqual(data);
    });

    it('a range ending past the end is clamped; one starting at or past the end, reversed or negative is InvalidRangeError', async () => {
      const s = await open();
      const data = randomBytes(1000);
      await s.put('r', data);
      await s.put('empty', Buffer.alloc(0));
      expect(await s.getRange('r', 990, 5000)).toEqual(data.subarray(990));
      for (const [start, end] of [[1000, 1000], [5000, 6000], [5, 4], [-1, 3], [1.5, 3]] as const) {
        await expect(s.getRange('r', start, end), `${start}-${end}`).rejects.toBeInstanceOf(InvalidRangeError);
      }
      await expect(s.getRange('empty', 0, 0)).rejects.toBeInstanceOf(InvalidRangeError);
    });

    it('head returns the size and the metadata given to put; a put without metadata clears it', async () => {
      const s = await open();
      const before = Date.now();
      await s.put('h', b('hello'), { metadata: { crc32c: '1a2b3c4d', 'format-version': '1' } });
      const head = await s.head('h');
      expect(head.size).toBe(5);
      expect(head.metadata).toEqual({ crc32c: '1a2b3c4d', 'format-version': '1' });
      // HTTP dates have whole seconds: allow them.
      expect(head.lastModified?.getTime()).toBeGreaterThanOrEqual(before - 2000);
      expect(head.lastModified?.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
      await s.put('h', b('hello, world'));
      const again = await s.head('h');
      expect(again).toMatchObject({ size: 12, metadata: {} });
      if (head.etag !== undefined) expect(again.etag).not.toBe(head.etag);
    });

    it('invalid metadata is refused before anything is written', async () => {
      const s = await open();
      const bad: Array<Record<string, string>> = [{ Upper: 'x' }, { 'bad name': 'x' }, { a: 'non-ascii é' }, { a: ' padded ' }, { a: 'x'.repeat(3000) }];
      for (const metadata of bad) {
        await expect(s.put('m', b('x'), { metadata }), JSON.stringify(metadata).slice(0, 40)).rejects.toBeInstanceOf(InvalidObjectMetadataError);
        await expect(s.putMultipart('m', fromArray([b('x')]), { metadata })).rejects.toBeInstanceOf(InvalidObjectMetadataError);
      }
      await expect(s.head('m')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('list returns exactly the keys under a prefix, in byte order, with sizes, across many pages', async () => {
      const s = await open({ listPageSize: 3 });
      const keys = ['l/a', 'l/b/c', 'l/b/d', 'l/b/e', 'l/c', 'l/k1', 'l/k10', 'l/k2', 'l/z', 'l0', 'm/x'];
      await Promise.all(keys.map((k, i) => s.put(k, Buffer.alloc(i + 1, i))));
      const all = await collect(s.list(''));
      expect(all.map((o) => o.key)).toEqual(byteOrder(keys));
      for (const o of all) {
        expect(o.size, o.key).toBe(keys.indexOf(o.key) + 1);
        expect(o.lastModified).toBeInstanceOf(Date);
      }
      expect(await listKeys(s, 'l/')).toEqual(keys.slice(0, 9));
      expect(await listKeys(s, 'l/b')).toEqual(['l/b/c', 'l/b/d', 'l/b/e']);
      expect(await listKeys(s, 'l/k1')).toEqual(['l/k1', 'l/k10']);
      expect(await listKeys(s, 'l')).toEqual(keys.slice(0, 10));
      expect(await listKeys(s, 'nope/')).toEqual([]);
    });

    const listOrderGap = harness.serverGaps?.listOrder;
    it.skipIf(listOrderGap !== undefined)(
      `list orders keys that sort between a directory and its children by bytes, across pages${listOrderGap ? ` (skipped: ${listOrderGap})` : ''}`,
      async () => {
        const s = await open({ listPageSize: 2 });
        const keys = ['a', 'a/b', 'a/b/c', 'a-x', 'a.y', 'a/b-z', 'a/b.w', 'a0', 'sp ace/x', 'sp/x'];
        for (const k of keys) await s.put(k, b(k));
        expect(await listKeys(s, '')).toEqual(['a', 'a-x', 'a.y', 'a/b', 'a/b-z', 'a/b.w', 'a/b/c', 'a0', 'sp ace/x', 'sp/x']);
        expect(await listKeys(s, 'a/b')).toEqual(['a/b', 'a/b-z', 'a/b.w', 'a/b/c']);
      },
    );

    it('a key and keys below it coexist, and unusual characters round-trip through put, get and list', async () => {
      const s = await open();
      const keys = ['a', 'a/b', 'a/b/c', 'sp ace/ü%20~x', '.dot/x', 'tilde~', 'x.obj', 'x.obj/y', '日本/語'];
      for (const k of keys) await s.put(k, b(`v:${k}`));
      for (const k of keys) expect((await s.get(k)).toString()).toBe(`v:${k}`);
      // Order is the business of the tests above; here every key must come back exactly once, unchanged.
      expect(byteOrder(await listKeys(s, ''))).toEqual(byteOrder(keys));
      expect(byteOrder(await listKeys(s, 'a/'))).toEqual(['a/b', 'a/b/c']);
    });

    it('delete removes the object; deleting a missing key succeeds', async () => {
      const s = await open();
      await s.put('d/b', b('1'));
      await s.put('d/c', b('2'));
      await s.delete('d/b');
      await expect(s.get('d/b')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await listKeys(s, 'd/')).toEqual(['d/c']);
      await s.delete('d/b');
      await s.delete('never/was/here');
      expect((await s.get('d/c')).toString()).toBe('2');
      await s.delete('d/c');
      expect(await listKeys(s, '')).toEqual([]);
      await s.put('d/b', b('again'));
      expect((await s.get('d/b')).toString()).toBe('again');
    });

    it('missing keys are ObjectNotFoundError on get, getRange and head', async () => {
      const s = await open();
      await s.put('present', b('x'));
      for (const op of [() => s.get('absent'), () => s.getRange('absent', 0, 10), () => s.head('absent'), () => s.get('present/below')]) {
        const err = await op().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(ObjectNotFoundError);
        expect(err).toMatchObject({ code: 'OBJECT_NOT_FOUND', retriable: false });
      }
    });

    it('bad keys and prefixes are rejected by every method before any I/O', async () => {
      const s = await open();
      for (const key of BAD_KEYS) {
        const label = JSON.stringify(key).slice(0, 30);
        await expect(s.put(key, b('x')), label).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(s.putMultipart(key, fromArray([b('x')])), label).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(s.get(key), label).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(s.getRange(key, 0, 1), label).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(s.head(key), label).rejects.toBeInstanceOf(InvalidObjectKeyError);
        await expect(s.delete(key), label).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      for (const prefix of ['/abs', 'a//b', '../x', 'a/../', 'back\\slash/']) {
        await expect(collect(s.list(prefix)), prefix).rejects.toBeInstanceOf(InvalidObjectKeyError);
      }
      expect(await listKeys(s, '')).toEqual([]);
    });

    it('putMultipart of 5 MiB parts and a short last part reads back the exact bytes', async () => {
      const s = await open();
      const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 1), randomBytes(777)];
      const whole = Buffer.concat(parts);
      await s.putMultipart('mp/big', fromArray(parts), { metadata: { parts: '3' } });
      expect((await s.get('mp/big')).equals(whole)).toBe(true);
      expect(await s.head('mp/big')).toMatchObject({ size: whole.length, metadata: { parts: '3' } });
      const boundary = 5 * MiB;
      expect(await s.getRange('mp/big', boundary - 3, boundary + 3)).toEqual(whole.subarray(boundary - 3, boundary + 4));
      expect(await s.getRange('mp/big', whole.length - 1, whole.length + 100)).toEqual(whole.subarray(-1));
    });

    it('putMultipart accepts chunks of any size, and short or empty bodies', async () => {
      const s = await open();
      const chunks = Array.from({ length: 97 }, () => randomBytes(64 * 1024));
      await s.putMultipart('mp/chunks', fromArray(chunks));
      expect((await s.get('mp/chunks')).equals(Buffer.concat(chunks))).toBe(true);
      await s.putMultipart('mp/small', fromArray([b('ab'), Buffer.alloc(0), b('cd')]));
      expect((await s.get('mp/small')).toString()).toBe('abcd');
      await s.putMultipart('mp/empty', fromArray([]));
      expect((await s.head('mp/empty')).size).toBe(0);
    });

    it('a putMultipart whose source fails rethrows that error and leaves the previous object', async () => {
      const s = await open();
      await s.put('mp/k', b('old'));
      const boom = new Error('source broke');
      async function* failing(): AsyncGenerator<Buffer> {
        yield randomBytes(5 * MiB);
        yield randomBytes(5 * MiB);
        throw boom;
      }
      await expect(s.putMultipart('mp/k', failing())).rejects.toBe(boom);
      expect((await s.get('mp/k')).toString()).toBe('old');
      await expect(s.putMultipart('mp/new', failing())).rejects.toBe(boom);
      await expect(s.head('mp/new')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await listKeys(s, '')).toEqual(['mp/k']);
    });

    const atomicPutGap = harness.serverGaps?.atomicPut;
    it.skipIf(atomicPutGap !== undefined)(`concurrent puts of one key leave one complete version${atomicPutGap ? ` (skipped: ${atomicPutGap})` : ''}`, async () => {
      const s = await open();
      const size = 256 * 1024;
      await Promise.all(Array.from({ length: 8 }, (_, i) => s.put('race', Buffer.alloc(size, i + 1))));
      const got = await s.get('race');
      expect(got.length).toBe(size);
      expect(got[0]).toBeGreaterThanOrEqual(1);
      expect(got[0]).toBeLessThanOrEqual(8);
      expect(got.equals(Buffer.alloc(size, got[0]))).toBe(true);
    });

    it('verify succeeds on a working store and leaves no probe behind', async () => {
      const s = await open();
      await s.verify();
      await s.verify();
      expect(await listKeys(s, '')).toEqual([]);
    });

    it('a closed store refuses every call with ObjectStoreClosedError', async () => {
      const s = await open();
      await s.put('k', b('v'));
      await s.close();
      await expect(s.get('k')).rejects.toBeInstanceOf(ObjectStoreClosedError);
      await expect(s.put('k', b('v'))).rejects.toBeInstanceOf(ObjectStoreClosedError);
      await expect(s.putMultipart('k', fromArray([b('v')]))).rejects.toBeInstanceOf(ObjectStoreClosedError);
      await expect(collect(s.list(''))).rejects.toBeInstanceOf(ObjectStoreClosedError);
      await expect(s.verify()).rejects.toBeInstanceOf(ObjectStoreClosedError);
    });
  });
}
