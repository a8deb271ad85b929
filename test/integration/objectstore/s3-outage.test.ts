// S3ObjectStore through outages of its own s3rver (killed with -9, stopped, restarted on the same port and
// data): calls fail fast with a retriable error, work again after the restart, and withRetries bridges the gap.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreUnavailableError, withRetries, type ObjectStore } from '../../../objectstore/index.js';
import { S3ObjectStore } from '../../../objectstore/s3/index.js';
import { listKeys } from '../../conformance/object-store-conformance.js';
import { S3RVER_CREDENTIALS, S3RVER_REGION, S3Server, TEST_BUCKET } from '../../helpers/s3-server.js';

/** Every call fails with a retriable ObjectStoreUnavailableError within `boundMs`. */
async function expectAllUnavailable(store: ObjectStore, boundMs: number): Promise<void> {
  const calls: Array<[string, () => Promise<unknown>]> = [
    ['get', () => store.get('o')],
    ['getRange', () => store.getRange('o', 0, 9)],
    ['head', () => store.head('o')],
    ['put', () => store.put('p', Buffer.from('x'))],
    ['delete', () => store.delete('o')],
    ['list', () => listKeys(store, '')],
    ['verify', () => store.verify()],
  ];
  for (const [name, call] of calls) {
    const started = Date.now();
    const err = await call().then(() => undefined, (e: unknown) => e);
    expect(err, name).toBeInstanceOf(ObjectStoreUnavailableError);
    expect(err, name).toMatchObject({ code: 'OBJECT_STORE_UNAVAILABLE', retriable: true });
    expect(Date.now() - started, name).toBeLessThan(boundMs);
  }
}

describe('S3ObjectStore through an s3rver outage', () => {
  let server: S3Server;
  let store: S3ObjectStore;
  const data = randomBytes(64 * 1024);

  beforeAll(async () => {
    server = await S3Server.start({ buckets: [TEST_BUCKET] });
    store = new S3ObjectStore({
      endpoint: server.endpoint, bucket: TEST_BUCKET, region: S3RVER_REGION, credentials: S3RVER_CREDENTIALS,
      forcePathStyle: true, prefix: `outage-${randomBytes(4).toString('hex')}`, requestTimeoutMs: 2000, connectTimeoutMs: 1000,
    });
    await store.put('o', data, { metadata: { crc: 'abc' } });
  });
  afterAll(async () => {
    await store?.close();
    await server?.destroy();
  });

  it('kill -9: every call is a retriable ObjectStoreUnavailableError within 3 s; after a restart the data is back', async () => {
    await server.kill();
    await expectAllUnavailable(store, 3000);
    await server.restart();
    expect((await store.get('o')).equals(data)).toBe(true);
    expect(await store.head('o')).toMatchObject({ size: data.length, metadata: { crc: 'abc' } });
    await store.verify();
  });

  it('graceful stop: the same, and writes work again after the restart', async () => {
    await server.stop();
    await expectAllUnavailable(store, 3000);
    await server.restart();
    await store.put('after', Buffer.from('restart'));
    expect((await store.get('after')).toString()).toBe('restart');
    expect(await listKeys(store, '')).toEqual(['after', 'o']);
  });

  it('withRetries carries a read across a kill and restart', async () => {
    await server.kill();
    let restart: Promise<void> | undefined;
    const failures: unknown[] = [];
    const got = await withRetries(() => store.get('o'), {
      attempts: 100,
      backoff: { initialMs: 20, maxMs: 200 },
      onRetry: (err) => {
        failures.push(err);
        // Bring the server back only once the outage has been seen twice.
        if (failures.length === 2) restart = server.restart();
      },
    });
    await restart;
    expect(got.equals(data)).toBe(true);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const f of failures) expect(f).toBeInstanceOf(ObjectStoreUnavailableError);
  });
});
