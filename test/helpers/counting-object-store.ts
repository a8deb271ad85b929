// ObjectStore test doubles: a wrapper that counts the requests and bytes another store serves (to prove
// a read fetched little), and an in-memory store for unit tests without I/O.
import { ObjectNotFoundError, type ObjectHead, type ObjectListing, type ObjectStore, type PutOptions } from '../../objectstore/index.js';

export interface ObjectStoreCounts {
  gets: number;
  rangeGets: number;
  heads: number;
  /** Body bytes returned by get and getRange. */
  bytesRead: number;
  puts: number;
  deletes: number;
}

/** Forwards every call to `inner` and counts them; `failWith` makes every call throw (outage doubles). */
export class CountingObjectStore implements ObjectStore {
  counts: ObjectStoreCounts = { gets: 0, rangeGets: 0, heads: 0, bytesRead: 0, puts: 0, deletes: 0 };
  failWith: (() => Error) | undefined;

  constructor(readonly inner: ObjectStore) {}

  reset(): void {
    this.counts = { gets: 0, rangeGets: 0, heads: 0, bytesRead: 0, puts: 0, deletes: 0 };
  }

  private check(): void {
    if (this.failWith) throw this.failWith();
  }

  async put(key: string, body: Buffer, options?: PutOptions): Promise<void> {
    this.check();
    this.counts.puts++;
    await this.inner.put(key, body, options);
  }

  async putMultipart(key: string, parts: AsyncIterable<Buffer>, options?: PutOptions): Promise<void> {
    this.check();
    this.counts.puts++;
    await this.inner.putMultipart(key, parts, options);
  }

  async get(key: string): Promise<Buffer> {
    this.check();
    this.counts.gets++;
    const b = await this.inner.get(key);
    this.counts.bytesRead += b.length;
    return b;
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    this.check();
    this.counts.rangeGets++;
    const b = await this.inner.getRange(key, start, endInclusive);
    this.counts.bytesRead += b.length;
    return b;
  }

  async head(key: string): Promise<ObjectHead> {
    this.check();
    this.counts.heads++;
    return this.inner.head(key);
  }

  list(prefix: string): AsyncIterable<ObjectListing> {
    this.check();
    return this.inner.list(prefix);
  }

  async delete(key: string): Promise<void> {
    this.check();
    this.counts.deletes++;
    await this.inner.delete(key);
  }

  async verify(): Promise<void> {
    this.check();
    await this.inner.verify();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Objects in a Map: enough of the contract for unit tests of the format and the readers. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Buffer; metadata: Record<string, string>; lastModified: Date }>();

  async put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), metadata: { ...options.metadata }, lastModified: new Date() });
  }

  async putMultipart(key: string, parts: AsyncIterable<Buffer>, options: PutOptions = {}): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const p of parts) chunks.push(Buffer.from(p));
    await this.put(key, Buffer.concat(chunks), options);
  }

  private object(key: string) {
    const o = this.objects.get(key);
    if (!o) throw new ObjectNotFoundError(key);
    return o;
  }

  async get(key: string): Promise<Buffer> {
    return Buffer.from(this.object(key).body);
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    return Buffer.from(this.object(key).body.subarray(start, endInclusive + 1));
  }

  async head(key: string): Promise<ObjectHead> {
    const o = this.object(key);
    return { size: o.body.length, metadata: { ...o.metadata }, lastModified: o.lastModified };
  }

  async *list(prefix: string): AsyncIterable<ObjectListing> {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of keys) {
      const o = this.objects.get(key);
      if (o) yield { key, size: o.body.length, lastModified: o.lastModified };
    }
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async verify(): Promise<void> {}

  async close(): Promise<void> {}
}
