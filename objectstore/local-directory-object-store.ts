// The ObjectStore of standalone mode: objects as files under a root directory, written atomically
// (temp file + fsync + rename + directory fsync), so a crash leaves the old object or the new one.
import { randomBytes } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger, type Logger } from '../common/index.js';
import { BucketNotFoundError, ObjectCorruptError, ObjectNotFoundError, ObjectStoreClosedError } from './errors.js';
import { ensureDir, fsyncDir, writeAll } from './local-durable-fs.js';
import { isMissing, mapFsError } from './local-fs-errors.js';
import { decodeSegment, keyToPath, OBJECT_FILE_SUFFIX, segmentsToDir } from './local-key-path.js';
import { encodeHeader, readHeader, type LocalObjectHeader } from './local-object-file.js';
import { validateListPrefix } from './object-key.js';
import { validateObjectMetadata, type ObjectMetadata } from './object-metadata.js';
import { rangeNotSatisfiable, validateRange } from './object-range.js';
import type { ObjectHead, ObjectListing, ObjectStore, PutOptions } from './object-store.js';
import { verifyProbe } from './verify-probe.js';

export interface LocalDirectoryObjectStoreOptions {
  root: string;
  /** Create the root directory when missing (default true); false makes a missing root a BucketNotFoundError. */
  create?: boolean;
  logger?: Logger;
}

/** Temp files of puts that a crash interrupted are removed at open once this old. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const TEMP_DIR = '.tmp';

interface OpenObject {
  fh: FileHandle;
  header: LocalObjectHeader;
  size: number;
  mtime: Date;
}

export class LocalDirectoryObjectStore implements ObjectStore {
  private closed = false;

  private constructor(
    readonly root: string,
    private readonly tmpDir: string,
  ) {}

  static async open(options: LocalDirectoryObjectStoreOptions): Promise<LocalDirectoryObjectStore> {
    const root = path.resolve(options.root);
    const tmpDir = path.join(root, TEMP_DIR);
    try {
      if (options.create ?? true) await fs.mkdir(root, { recursive: true });
      await checkRoot(root);
      await fs.mkdir(tmpDir, { recursive: true });
      const removed = await removeStaleTemps(tmpDir);
      if (removed > 0) (options.logger ?? silentLogger).info({ root, removed }, 'removed temp files of interrupted puts');
    } catch (err) {
      throw mapFsError(err, `opening the object store at ${root}`);
    }
    return new LocalDirectoryObjectStore(root, tmpDir);
  }

  async put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    await this.writeAtomically(key, options.metadata, (fh) => writeAll(fh, body));
  }

  async putMultipart(key: string, parts: AsyncIterable<Buffer>, options: PutOptions = {}): Promise<void> {
    await this.writeAtomically(key, options.metadata, async (fh) => {
      for await (const part of parts) {
        if (!(part instanceof Uint8Array)) throw new TypeError('putMultipart parts must be Buffers');
        await writeAll(fh, part);
      }
    });
  }

  async get(key: string): Promise<Buffer> {
    return this.withObject(key, 'get', (o) => readExactly(o, key, 0, o.size));
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    const file = keyToPath(this.root, key);
    validateRange(key, start, endInclusive);
    return this.withObject(key, 'getRange', (o) => {
      if (start >= o.size) throw rangeNotSatisfiable(key, start, endInclusive, o.size);
      return readExactly(o, key, start, Math.min(endInclusive, o.size - 1) - start + 1);
    }, file);
  }

  async head(key: string): Promise<ObjectHead> {
    return this.withObject(key, 'head', async (o) => ({ size: o.size, lastModified: o.mtime, metadata: { ...o.header.metadata } }));
  }

  async *list(prefix: string): AsyncIterable<ObjectListing> {
    validateListPrefix(prefix);
    this.checkOpen();
    const segments = prefix.split('/');
    segments.pop();
    const keyPrefix = segments.length > 0 ? `${segments.join('/')}/` : '';
    yield* this.walk(segmentsToDir(this.root, segments), keyPrefix, prefix);
  }

  async delete(key: string): Promise<void> {
    const file = keyToPath(this.root, key);
    this.checkOpen();
    try {
      await fs.unlink(file);
    } catch (err) {
      if (isMissing(err)) return;
      throw mapFsError(err, `deleting ${JSON.stringify(key)}`);
    }
    try {
      await fsyncDir(path.dirname(file));
    } catch (err) {
      // A concurrent delete may already have pruned the emptied directory: the entry is gone either way.
      if (!isMissing(err)) throw mapFsError(err, `deleting ${JSON.stringify(key)}`);
    }
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async verify(): Promise<void> {
    this.checkOpen();
    try {
      await checkRoot(this.root);
    } catch (err) {
      throw mapFsError(err, `checking the object store directory ${this.root}`);
    }
    await verifyProbe(this, `directory ${this.root}`);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new ObjectStoreClosedError();
  }

  /** Writes header + body to a temp file, fsyncs it, renames it over the key's file and fsyncs the directory. */
  private async writeAtomically(key: string, metadata: ObjectMetadata | undefined, write: (fh: FileHandle) => Promise<void>): Promise<void> {
    const target = keyToPath(this.root, key);
    validateObjectMetadata(metadata);
    this.checkOpen();
    const tmp = path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    let fh: FileHandle | undefined;
    try {
      try {
        fh = await fs.open(tmp, 'wx');
      } catch (err) {
        // The temp directory is made at open and never removed: without it the root itself is gone.
        if (isMissing(err)) throw new BucketNotFoundError(this.root, { cause: err });
        throw err;
      }
      await writeAll(fh, encodeHeader(metadata));
      await write(fh);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await this.renameIntoPlace(tmp, target);
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw mapFsError(err, `writing ${JSON.stringify(key)}`);
    }
  }

  private async renameIntoPlace(tmp: string, target: string): Promise<void> {
    const dir = path.dirname(target);
    for (let attempt = 1; ; attempt++) {
      await ensureDir(dir);
      try {
        await fs.rename(tmp, target);
        break;
      } catch (err) {
        // A concurrent delete may have pruned the directory between mkdir and rename: make it again.
        if (!isMissing(err) || attempt >= 3) throw err;
      }
    }
    await fsyncDir(dir);
  }

  /** Removes directories left empty by a delete, up to (not including) the root; stops at the first non-empty one. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir !== this.root && dir.startsWith(this.root + path.sep)) {
      try {
        await fs.rmdir(dir);
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }

  private async withObject<T>(key: string, what: string, fn: (o: OpenObject) => Promise<T>, file = keyToPath(this.root, key)): Promise<T> {
    this.checkOpen();
    let fh: FileHandle;
    try {
      fh = await fs.open(file, 'r');
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key, { cause: err });
      throw mapFsError(err, `${what} of ${JSON.stringify(key)}`);
    }
    try {
      const st = await fh.stat();
      const header = await readHeader(fh, key, st.size);
      return await fn({ fh, header, size: st.size - header.dataOffset, mtime: st.mtime });
    } catch (err) {
      throw mapFsError(err, `${what} of ${JSON.stringify(key)}`);
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /** Yields the objects under `dir` whose keys start with `prefix`, in ascending UTF-8 byte order of their keys. */
  private async *walk(dir: string, keyPrefix: string, prefix: string): AsyncGenerator<ObjectListing> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw mapFsError(err, `listing ${JSON.stringify(prefix)}`);
    }
    const items: { sortKey: string; name: string; isDir: boolean }[] = [];
    for (const e of entries) {
      const isFile = e.isFile() && e.name.endsWith(OBJECT_FILE_SUFFIX);
      if (!isFile && !e.isDirectory()) continue;
      const segment = decodeSegment(isFile ? e.name.slice(0, -OBJECT_FILE_SUFFIX.length) : e.name);
      if (segment === undefined) continue; // the store's own files (.tmp) and anything it did not write
      // A directory's keys all start with "segment/": sorting it under that string keeps key order.
      items.push({ sortKey: `${keyPrefix}${segment}${isFile ? '' : '/'}`, name: e.name, isDir: !isFile });
    }
    items.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
    for (const item of items) {
      const full = path.join(dir, item.name);
      if (item.isDir) {
        if (item.sortKey.startsWith(prefix) || prefix.startsWith(item.sortKey)) yield* this.walk(full, item.sortKey, prefix);
      } else if (item.sortKey.startsWith(prefix)) {
        const listed = await this.describe(full, item.sortKey).catch((err: unknown) => {
          if (err instanceof ObjectNotFoundError) return undefined; // deleted while we listed
          throw err;
        });
        if (listed) yield listed;
      }
    }
  }

  private async describe(file: string, key: string): Promise<ObjectListing> {
    return this.withObject(key, 'list', async (o) => ({ key, size: o.size, lastModified: o.mtime }), file);
  }
}

async function checkRoot(root: string): Promise<void> {
  let st;
  try {
    st = await fs.stat(root);
  } catch (err) {
    if (isMissing(err)) throw new BucketNotFoundError(root, { cause: err });
    throw err;
  }
  if (!st.isDirectory()) throw new BucketNotFoundError(root, { cause: new Error(`${root} is not a directory`) });
}

/** Temp files younger than STALE_TEMP_MS may belong to a put running in another process on the same root. */
async function removeStaleTemps(tmpDir: string): Promise<number> {
  const now = Date.now();
  let removed = 0;
  for (const name of await fs.readdir(tmpDir)) {
    const file = path.join(tmpDir, name);
    const st = await fs.stat(file).catch(() => undefined);
    if (st && now - st.mtimeMs > STALE_TEMP_MS) {
      await fs.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

async function readExactly(o: OpenObject, key: string, start: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; ) {
    const { bytesRead } = await o.fh.read(out, offset, length - offset, o.header.dataOffset + start + offset);
    if (bytesRead === 0) throw new ObjectCorruptError(`local object ${JSON.stringify(key)} ended ${length - offset} bytes early`);
    offset += bytesRead;
  }
  return out;
}
