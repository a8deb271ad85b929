// S3ObjectStore against the shared s3rver: the conformance suite (each store on its own key prefix),
// then what only S3 has: a missing bucket, refused credentials, request deadlines.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { BucketNotFoundError, MIN_PART_SIZE_BYTES, ObjectNotFoundError, ObjectStoreAuthError, ObjectStoreUnavailableError, type S3ObjectStoreOptions } from '../../../objectstore/index.js';
import { S3ObjectStore } from '../../../objectstore/s3/index.js';
import { describeObjectStoreConformance, listKeys } from '../../conformance/object-store-conformance.js';
import { HttpRecordingProxy } from '../../helpers/http-recording-proxy.js';

const shared = inject('s3');

function s3Options(overrides: Partial<S3ObjectStoreOptions> = {}): S3ObjectStoreOptions {
  return {
    endpoint: inject('s3Endpoint'),
    bucket: shared.bucket,
    region: shared.region,
    credentials: shared.credentials,
    forcePathStyle: true,
    prefix: `t-${randomBytes(6).toString('hex')}`,
    requestTimeoutMs: 10_000,
    // The smallest part S3 allows, so the conformance suite's 5 MiB parts go up as separate parts.
    partSizeBytes: MIN_PART_SIZE_BYTES,
    ...overrides,
  };
}

describeObjectStoreConformance('S3 (s3rver)', {
  open: async ({ listPageSize } = {}) => new S3ObjectStore(s3Options({ listPageSize })),
  serverGaps: {
    listOrder: 's3rver lists in its directory-walk order and pages by last key, so it skips keys; S3, MinIO and Swift list by bytes',
    atomicPut: 's3rver writes a body into the object file in place, so concurrent puts can interleave; S3, MinIO and Swift replace atomically',
  },
});

describe('S3ObjectStore against s3rver', () => {
  const stores: S3ObjectStore[] = [];
  const store = (overrides: Partial<S3ObjectStoreOptions> = {}) => {
    const s = new S3ObjectStore(s3Options(overrides));
    stores.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('verify reports a missing bucket as BucketNotFoundError, and so do object calls', async () => {
    const s = store({ bucket: `no-such-bucket-${randomBytes(4).toString('hex')}` });
    const err = await s.verify().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BucketNotFoundError);
    expect(err).toMatchObject({ code: 'BUCKET_NOT_FOUND', retriable: false, bucket: s.bucket });
    await expect(s.get('k')).rejects.toBeInstanceOf(BucketNotFoundError);
    await expect(s.put('k', Buffer.from('v'))).rejects.toBeInstanceOf(BucketNotFoundError);
  });

  it('an unknown access key is ObjectStoreAuthError from verify and every call, and no message shows the secret', async () => {
    const secret = `secret-${randomBytes(12).toString('hex')}`;
    const s = store({ credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: secret } });
    const errors = await Promise.all([
      s.verify(), s.put('k', Buffer.from('v')), s.get('k'), s.head('k'), listKeys(s, ''),
    ].map((p) => p.then(() => undefined, (e: unknown) => e)));
    for (const err of errors) {
      expect(err).toBeInstanceOf(ObjectStoreAuthError);
      expect(err).toMatchObject({ code: 'OBJECT_STORE_AUTH', retriable: false });
      const e = err as Error;
      expect(`${e.message} ${e.stack} ${String(e.cause)} ${JSON.stringify(e.cause)}`).not.toContain(secret);
    }
  });

  it('prefixes isolate stores on one bucket', async () => {
    const a = store();
    const b = store();
    await a.put('same', Buffer.from('a'));
    await b.put('same', Buffer.from('b'));
    expect((await a.get('same')).toString()).toBe('a');
    expect((await b.get('same')).toString()).toBe('b');
    expect(await listKeys(a, '')).toEqual(['same']);
  });

  it('a server that accepts connections but never answers is ObjectStoreUnavailableError after the request deadline', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const s = store({ endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 500 });
      const started = Date.now();
      const err = await s.get('k').then(() => undefined, (e: unknown) => e);
      const took = Date.now() - started;
      expect(err).toBeInstanceOf(ObjectStoreUnavailableError);
      expect(err).toMatchObject({ retriable: true });
      expect(took).toBeGreaterThanOrEqual(450);
      expect(took).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  describe('multipart uploads as sent on the wire', () => {
    let proxy: HttpRecordingProxy;
    beforeAll(async () => {
      proxy = await HttpRecordingProxy.start(Number(new URL(inject('s3Endpoint')).port));
    });
    afterAll(async () => {
      await proxy?.close();
    });

    const parts = (from: number) => proxy.requests.slice(from).filter((r) => r.method === 'PUT' && /[?&]partNumber=\d+/.test(r.url));

    it('sends one part per 5 MiB, the last one short, between one create and one complete', async () => {
      const s = store({ endpoint: proxy.endpoint });
      const from = proxy.requests.length;
      const body = randomBytes(2 * MIN_PART_SIZE_BYTES + 1000);
      await s.putMultipart('wire/big', (async function* () {
        for (let i = 0; i < body.length; i += 1024 * 1024) yield body.subarray(i, i + 1024 * 1024);
      })());
      expect(parts(from).map((r) => r.bodyBytes)).toEqual([MIN_PART_SIZE_BYTES, MIN_PART_SIZE_BYTES, 1000]);
      const sent = proxy.requests.slice(from);
      expect(sent.filter((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url))).toHaveLength(1);
      expect(sent.filter((r) => r.method === 'POST' && /[?&]uploadId=/.test(r.url))).toHaveLength(1);
      expect((await s.get('wire/big')).equals(body)).toBe(true);
    });

    it('writes a body shorter than one part with a single PUT', async () => {
      const s = store({ endpoint: proxy.endpoint });
      const from = proxy.requests.length;
      await s.putMultipart('wire/small', (async function* () {
        yield Buffer.from('small');
      })());
      expect(proxy.requests.slice(from).map((r) => r.method)).toEqual(['PUT']);
      expect(proxy.requests[from]!.url).not.toMatch(/uploadId|partNumber/);
    });

    it('aborts the upload when the source fails; s3rver refuses the abort (405) and the store logs it', async () => {
      const warnings: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
      const s = store({ endpoint: proxy.endpoint, logger });
      const from = proxy.requests.length;
      const boom = new Error('source broke');
      await expect(s.putMultipart('wire/failed', (async function* () {
        yield randomBytes(MIN_PART_SIZE_BYTES);
        throw boom;
      })())).rejects.toBe(boom);
      const aborts = proxy.requests.slice(from).filter((r) => r.method === 'DELETE' && /[?&]uploadId=/.test(r.url));
      expect(aborts).toHaveLength(1);
      expect(aborts[0]!.status).toBe(405);
      expect(warnings.join('')).toContain('could not abort multipart upload');
      await expect(s.head('wire/failed')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });
  });
});
