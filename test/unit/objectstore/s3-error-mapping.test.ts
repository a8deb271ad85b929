// The one table from S3 SDK failures to typed errors: every row checked, with the cause kept.
import { describe, expect, it } from 'vitest';
import {
  BucketNotFoundError, InvalidRangeError, ObjectNotFoundError, ObjectStoreAuthError, ObjectStoreRequestError,
  ObjectStoreUnavailableError,
} from '../../../objectstore/index.js';
import { mapS3Error } from '../../../objectstore/internal.js';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const err = new Error(`${name} from the SDK`);
  err.name = name;
  return Object.assign(err, status === undefined ? {} : { $metadata: { httpStatusCode: status } }, extra);
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

const onKey = { operation: 'GetObject', bucket: 'b', key: 'k' };
const onBucket = { operation: 'ListObjectsV2', bucket: 'b' };

describe('mapS3Error', () => {
  const rows: Array<[string, unknown, typeof onKey | typeof onBucket, abstract new (...a: never[]) => Error, boolean]> = [
    ['NoSuchKey', sdkError('NoSuchKey', 404), onKey, ObjectNotFoundError, false],
    ['HEAD 404 of a key', sdkError('NotFound', 404), onKey, ObjectNotFoundError, false],
    ['HEAD 404 of a bucket', sdkError('NotFound', 404), onBucket, BucketNotFoundError, false],
    ['NoSuchBucket', sdkError('NoSuchBucket', 404), onKey, BucketNotFoundError, false],
    ['InvalidRange', sdkError('InvalidRange', 416), onKey, InvalidRangeError, false],
    ['AccessDenied', sdkError('AccessDenied', 403), onKey, ObjectStoreAuthError, false],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), onBucket, ObjectStoreAuthError, false],
    ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), onKey, ObjectStoreAuthError, false],
    ['bare 403', sdkError('Forbidden', 403), onKey, ObjectStoreAuthError, false],
    ['no credentials found', sdkError('CredentialsProviderError'), onKey, ObjectStoreAuthError, false],
    ['SlowDown', sdkError('SlowDown', 503), onKey, ObjectStoreUnavailableError, true],
    ['InternalError', sdkError('InternalError', 500), onKey, ObjectStoreUnavailableError, true],
    ['502 from a proxy', sdkError('Unknown', 502), onKey, ObjectStoreUnavailableError, true],
    ['429', sdkError('TooManyRequests', 429), onKey, ObjectStoreUnavailableError, true],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), onKey, ObjectStoreUnavailableError, true],
    ['ECONNRESET', networkError('ECONNRESET'), onBucket, ObjectStoreUnavailableError, true],
    ['SDK TimeoutError', sdkError('TimeoutError'), onKey, ObjectStoreUnavailableError, true],
    ['unnamed failure without an answer', new Error('socket hang up'), onKey, ObjectStoreUnavailableError, true],
    ['InvalidArgument', sdkError('InvalidArgument', 400), onKey, ObjectStoreRequestError, false],
    ['EntityTooSmall', sdkError('EntityTooSmall', 400), onKey, ObjectStoreRequestError, false],
    ['a bug, not the network', new TypeError('x is not a function'), onKey, ObjectStoreRequestError, false],
  ];

  for (const [label, input, ctx, expected, retriable] of rows) {
    it(`maps ${label} to ${expected.name}`, () => {
      const mapped = mapS3Error(input, ctx);
      expect(mapped).toBeInstanceOf(expected);
      expect(mapped.retriable).toBe(retriable);
      expect(mapped.cause).toBe(input);
    });
  }

  it('our own deadline wins over whatever the abort looked like, and says how long it waited', () => {
    const mapped = mapS3Error(sdkError('AbortError'), { ...onKey, timedOutAfterMs: 1500 });
    expect(mapped).toBeInstanceOf(ObjectStoreUnavailableError);
    expect(mapped.message).toBe('GetObject of "k" got no answer within 1500 ms');
  });

  it('names the key or bucket and keeps already typed errors as they are', () => {
    expect(mapS3Error(sdkError('NoSuchKey', 404), onKey)).toMatchObject({ key: 'k', code: 'OBJECT_NOT_FOUND' });
    expect(mapS3Error(sdkError('NoSuchBucket', 404), onBucket)).toMatchObject({ bucket: 'b', code: 'BUCKET_NOT_FOUND' });
    const typed = new ObjectNotFoundError('x');
    expect(mapS3Error(typed, onKey)).toBe(typed);
  });
});

describe('mapS3Error messages', () => {
  it('say the errno, the status of a bodiless answer, or the S3 error name', () => {
    expect(mapS3Error(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }), onKey).message).toBe('GetObject of "k" failed: ECONNREFUSED');
    expect(mapS3Error(sdkError('Unknown', 403), { operation: 'HeadBucket', bucket: 'b' }).message)
      .toBe('HeadBucket on bucket "b" was refused: HTTP 403 (check the S3 credentials and their permissions on bucket "b")');
    expect(mapS3Error(sdkError('SlowDown', 503), onKey).message).toBe('GetObject of "k" failed: SlowDown');
    expect(mapS3Error(new Error('socket hang up'), onKey).message).toBe('GetObject of "k" failed without an HTTP answer: socket hang up');
  });
});
