// S3ObjectStore against OpenStack Swift with s3api (a production object store; started per file): the
// conformance suite with no server gaps, signature checks, and an outage of the proxy. Skipped, with
// the reason in its name, where Debian's swift packages are not installed.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BucketNotFoundError, MIN_PART_SIZE_BYTES, ObjectStoreAuthError, ObjectStoreUnavailableError, withRetries, type S3ObjectStoreOptions } from '../../../objectstore/index.js';
import { S3ObjectStore } from '../../../objectstore/s3/index.js';
import { describeObjectStoreConformance } from '../../conformance/object-store-conformance.js';
import { SWIFT_CREDENTIALS, SWIFT_REGION, SwiftServer, swiftInstalled } from '../../helpers/swift-server.js';

const installed = swiftInstalled();
const BUCKET = 'strata-test';

describe.skipIf(!installed)(`OpenStack Swift s3api${installed ? '' : ' (skipped: apt-get install swift-proxy swift-account swift-container swift-object memcached)'}`, () => {
  let swift: SwiftServer;
  const stores: S3ObjectStore[] = [];
  const store = (overrides: Partial<S3ObjectStoreOptions> = {}) => {
    const s = new S3ObjectStore({
      endpoint: swift.endpoint, bucket: BUCKET, region: SWIFT_REGION, credentials: SWIFT_CREDENTIALS, forcePathStyle: true,
      prefix: `t-${randomBytes(6).toString('hex')}`, requestTimeoutMs: 10_000, partSizeBytes: MIN_PART_SIZE_BYTES, ...overrides,
    });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    swift = await SwiftServer.start({ buckets: [BUCKET] });
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await swift?.destroy();
  });

  describeObjectStoreConformance('S3 (Swift s3api)', { open: async ({ listPageSize } = {}) => store({ listPageSize }) });

  it('a wrong secret is ObjectStoreAuthError: Swift checks signatures', async () => {
    const s = store({ credentials: { accessKeyId: SWIFT_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong-secret-value' } });
    for (const call of [() => s.verify(), () => s.get('k'), () => s.put('k', Buffer.from('v'))]) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectStoreAuthError);
      expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('wrong-secret-value');
    }
  });

  it('verify reports a missing bucket as BucketNotFoundError', async () => {
    await expect(store({ bucket: 'no-such-bucket' }).verify()).rejects.toBeInstanceOf(BucketNotFoundError);
  });

  it('a killed proxy is a retriable ObjectStoreUnavailableError; withRetries reads through its restart', async () => {
    const s = store({ requestTimeoutMs: 3000, connectTimeoutMs: 1000 });
    const data = randomBytes(100_000);
    await s.put('o', data);
    await swift.killProxy();
    const started = Date.now();
    await expect(s.get('o')).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    let restart: Promise<void> | undefined;
    let failures = 0;
    const got = await withRetries(() => s.get('o'), {
      attempts: 200,
      backoff: { initialMs: 50, maxMs: 250 },
      onRetry: () => {
        if (++failures === 1) restart = swift.restartProxy();
      },
    });
    await restart;
    expect(got.equals(data)).toBe(true);
  });
});
