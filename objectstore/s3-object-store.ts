// The ObjectStore on S3 or any S3-compatible server (MinIO, Swift s3api, s3rver) through
// @aws-sdk/client-s3: every request has a deadline and every failure becomes a typed error.
import { Readable, addAbortSignal } from 'node:stream';
import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client, type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { silentLogger, type Logger } from '../common/index.js';
import { coalesceParts } from './coalesce-parts.js';
import { BucketNotFoundError, ObjectStoreClosedError, ObjectStoreRequestError, ObjectStoreUnavailableError, InvalidObjectKeyError } from './errors.js';
import { MAX_KEY_BYTES, validateListPrefix, validateObjectKey } from './object-key.js';
import { validateObjectMetadata } from './object-metadata.js';
import { rangeNotSatisfiable, validateRange } from './object-range.js';
import { DEFAULT_PART_SIZE_BYTES, MIN_PART_SIZE_BYTES, type ObjectHead, type ObjectListing, type ObjectStore, type PutOptions } from './object-store.js';
import { mapS3Error } from './s3-error-mapping.js';
import { S3MultipartUpload } from './s3-multipart-upload.js';
import { verifyProbe } from './verify-probe.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Prepended to every key ("strata/" → "strata/ledgers/1"); a missing trailing '/' is added. */
  prefix?: string;
  /** For S3-compatible servers ("http://127.0.0.1:9000"); AWS's own endpoint when absent. */
  endpoint?: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** Path-style URLs (endpoint/bucket/key): needed by most local servers. */
  forcePathStyle?: boolean;
  /** Default: the SDK's chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, config files, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Deadline of one request including reading its body (default 30 s). */
  requestTimeoutMs?: number;
  /** Deadline to open a connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Keys per ListObjectsV2 page, 1..1000 (default 1000). */
  listPageSize?: number;
  /** Multipart part size, at least 5 MiB (default 8 MiB). */
  partSizeBytes?: number;
  logger?: Logger;
}

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly requestTimeoutMs: number;
  private readonly listPageSize: number;
  private readonly partSizeBytes: number;
  private readonly logger: Logger;
  private closed = false;

  constructor(options: S3ObjectStoreOptions) {
    const { requestTimeoutMs = 30_000, connectTimeoutMs = 5_000, listPageSize = 1000, partSizeBytes = DEFAULT_PART_SIZE_BYTES } = options;
    if (!options.bucket) throw new BucketNotFoundError('', { cause: new Error('no bucket configured') });
    if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > 1000) throw new RangeError(`listPageSize must be 1..1000, got ${listPageSize}`);
    if (!Number.isInteger(partSizeBytes) || partSizeBytes < MIN_PART_SIZE_BYTES) throw new RangeError(`partSizeBytes must be at least ${MIN_PART_SIZE_BYTES}`);
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? '');
    this.requestTimeoutMs = requestTimeoutMs;
    this.listPageSize = listPageSize;
    this.partSizeBytes = partSizeBytes;
    this.logger = options.logger ?? silentLogger;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // With the SDK's default checksums, streamed uploads to s3rver are stored corrupt; harmless elsewhere.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Retries live in one place (withRetries), with our backoff; the SDK tries once.
      maxAttempts: 1,
      // The request deadline is our own abort signal (call()), which also covers reading the body.
      requestHandler: { connectionTimeout: Math.min(connectTimeoutMs, requestTimeoutMs) },
    });
  }

  async put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    const Key = this.fullKey(key);
    validateObjectMetadata(options.metadata);
    await this.call('PutObject', key, (abortSignal) =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length, Metadata: options.metadata }), { abortSignal }),
    );
  }

  async putMultipart(key: string, parts: AsyncIterable<Buffer>, options: PutOptions = {}): Promise<void> {
    const Key = this.fullKey(key);
    validateObjectMetadata(options.metadata);
    this.checkOpen();
    const iterator = coalesceParts(parts, this.partSizeBytes)[Symbol.asyncIterator]();
    const first = await iterator.next();
    // Only the last part can be short: a short first part is the whole body, and one PUT does.
    if (first.done || first.value.length < this.partSizeBytes) return this.put(key, first.done ? Buffer.alloc(0) : first.value, options);
    const rest = { [Symbol.asyncIterator]: () => iterator };
    const upload = new S3MultipartUpload(
      this.client,
      (operation, run) => this.call(operation, key, run),
      { bucket: this.bucket, key: Key, metadata: options.metadata },
      this.logger,
    );
    await upload.run(prepend(first.value, rest));
  }

  async get(key: string): Promise<Buffer> {
    const Key = this.fullKey(key);
    return this.call('GetObject', key, async (abortSignal) => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }), { abortSignal });
      const body = await readBody(res, abortSignal);
      if (res.ContentLength !== undefined && body.length !== res.ContentLength) {
        throw new ObjectStoreUnavailableError(`GetObject of ${JSON.stringify(key)} returned ${body.length} of ${res.ContentLength} bytes`);
      }
      return body;
    });
  }

  async getRange(key: string, start: number, endInclusive: number): Promise<Buffer> {
    const Key = this.fullKey(key);
    validateRange(key, start, endInclusive);
    return this.call('GetObject', key, async (abortSignal) => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${start}-${endInclusive}` }), { abortSignal });
      const announced = parseContentRange(res.ContentRange);
      if (announced && start >= announced.size) {
        // s3rver answers a range of an empty object with 206 and a body it never sends: do not wait for it.
        destroyBody(res);
        throw rangeNotSatisfiable(key, start, endInclusive, announced.size);
      }
      const body = await readBody(res, abortSignal);
      // Servers may send more than asked (s3rver answers bytes=0-0 with the whole object) or ignore
      // the range (200): cut the answer down to the clamped range it must contain.
      const served = announced ?? { start: 0, size: body.length };
      if (start >= served.size) throw rangeNotSatisfiable(key, start, endInclusive, served.size);
      const end = Math.min(endInclusive, served.size - 1);
      const from = start - served.start;
      if (from < 0 || served.start + body.length < end + 1) {
        throw new ObjectStoreRequestError(`GetObject of ${JSON.stringify(key)} asked bytes ${start}-${end} and got ${res.ContentRange ?? `${body.length} bytes`}`);
      }
      return body.subarray(from, from + end - start + 1);
    });
  }

  async head(key: string): Promise<ObjectHead> {
    const Key = this.fullKey(key);
    const res = await this.call('HeadObject', key, (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }), { abortSignal }));
    return {
      size: res.ContentLength ?? 0,
      etag: res.ETag?.replace(/^"|"$/g, ''),
      lastModified: res.LastModified,
      metadata: { ...(res.Metadata ?? {}) },
    };
  }

  async *list(prefix: string): AsyncIterable<ObjectListing> {
    validateListPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', undefined, (abortSignal) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, MaxKeys: this.listPageSize, ContinuationToken: token }), { abortSignal }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || !o.Key.startsWith(this.prefix)) continue;
        yield { key: o.Key.slice(this.prefix.length), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && !token) throw new ObjectStoreRequestError('ListObjectsV2 returned a truncated page without a continuation token');
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    const Key = this.fullKey(key);
    await this.call('DeleteObject', key, (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }), { abortSignal }));
  }

  async verify(): Promise<void> {
    // HeadBucket first: its 404 (BucketNotFoundError) and 403 (ObjectStoreAuthError) name the problem.
    await this.call('HeadBucket', undefined, (abortSignal) => this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal }));
    await verifyProbe(this, `bucket ${JSON.stringify(this.bucket)}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }

  private checkOpen(): void {
    if (this.closed) throw new ObjectStoreClosedError();
  }

  private fullKey(key: string): string {
    validateObjectKey(key);
    const full = this.prefix + key;
    if (Buffer.byteLength(full, 'utf8') > MAX_KEY_BYTES) throw new InvalidObjectKeyError(`object key with the store prefix is longer than ${MAX_KEY_BYTES} bytes`);
    return full;
  }

  /** Runs one request (and the reading of its body) under the deadline; maps every failure. */
  private async call<T>(operation: string, key: string | undefined, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    this.checkOpen();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`${operation} deadline`)), this.requestTimeoutMs);
    try {
      return await run(controller.signal);
    } catch (err) {
      throw mapS3Error(err, { operation, bucket: this.bucket, key, timedOutAfterMs: controller.signal.aborted ? this.requestTimeoutMs : undefined });
    } finally {
      clearTimeout(timer);
    }
  }
}

function normalizePrefix(prefix: string): string {
  if (prefix === '') return '';
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  validateObjectKey(trimmed);
  return `${trimmed}/`;
}

/** Reads a response body to the end; aborting `signal` destroys the stream (a stalled body cannot hang us). */
async function readBody(res: GetObjectCommandOutput, signal: AbortSignal): Promise<Buffer> {
  const body = res.Body;
  if (body === undefined) return Buffer.alloc(0);
  if (!(body instanceof Readable)) return Buffer.from(await body.transformToByteArray());
  addAbortSignal(signal, body);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function destroyBody(res: GetObjectCommandOutput): void {
  if (res.Body instanceof Readable) res.Body.destroy();
}

/** "bytes 0-9/100" → { start: 0, size: 100 }; undefined when absent or not in that form. */
function parseContentRange(value: string | undefined): { start: number; size: number } | undefined {
  const m = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  return m ? { start: Number(m[1]), size: Number(m[3]) } : undefined;
}

async function* prepend(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}
