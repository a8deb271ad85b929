// Translates what @aws-sdk/client-s3 throws (service errors, network errors, timeouts) into the typed
// object-store errors: the one boundary where S3 error names and HTTP statuses are matched.
import {
  BucketNotFoundError, InvalidRangeError, ObjectNotFoundError, ObjectStoreAuthError, ObjectStoreError,
  ObjectStoreRequestError, ObjectStoreUnavailableError,
} from './errors.js';

export interface S3ErrorContext {
  /** The S3 operation, for the message ("GetObject"). */
  operation: string;
  bucket: string;
  /** The caller's key (without the store's prefix), when the operation is about one object. */
  key?: string;
  /** Set when our own per-request deadline aborted the request. */
  timedOutAfterMs?: number;
}

const AUTH_NAMES = new Set([
  'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken',
  'TokenRefreshRequired', 'AllAccessDisabled', 'AccountProblem', 'InvalidSecurity', 'CredentialsProviderError',
]);
const UNAVAILABLE_NAMES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled',
  'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'AbortError', 'NetworkingError', 'RequestTimeTooSkewed',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

/** Thrown by bugs, not by the network: never worth a retry. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The HTTP status of an SDK service error, when it has one. */
export function httpStatusOf(err: unknown): number | undefined {
  return (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

export function mapS3Error(err: unknown, ctx: S3ErrorContext): ObjectStoreError {
  if (err instanceof ObjectStoreError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : typeof e.Code === 'string' ? e.Code : '';
  const status = httpStatusOf(err);
  // The SDK names a bodiless error answer (any HEAD) "Unknown", and network errors are plain "Error":
  // their errno code, status or message says more.
  const generic = name === '' || name === 'Unknown' || name === 'Error';
  const label = code || (!generic ? name : status !== undefined ? `HTTP ${status}` : err instanceof Error ? err.message : String(err));
  const where = `${ctx.operation} ${ctx.key === undefined ? `on bucket ${JSON.stringify(ctx.bucket)}` : `of ${JSON.stringify(ctx.key)}`}`;
  const options = { cause: err };

  if (ctx.timedOutAfterMs !== undefined) {
    return new ObjectStoreUnavailableError(`${where} got no answer within ${ctx.timedOutAfterMs} ms`, options);
  }
  if (name === 'NoSuchBucket') return new BucketNotFoundError(ctx.bucket, options);
  if (name === 'NoSuchKey' || name === 'NoSuchUpload') {
    return ctx.key === undefined ? new ObjectStoreRequestError(`${where} failed: ${name}`, options) : new ObjectNotFoundError(ctx.key, options);
  }
  if (name === 'NotFound' || status === 404) {
    // HEAD answers carry no error body: a 404 there is "no such key" (or bucket; verify() tells them apart).
    return ctx.key === undefined ? new BucketNotFoundError(ctx.bucket, options) : new ObjectNotFoundError(ctx.key, options);
  }
  if (name === 'InvalidRange' || status === 416) return new InvalidRangeError(`${where}: range not satisfiable`, options);
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    // The message names the failure, never the credentials themselves.
    return new ObjectStoreAuthError(`${where} was refused: ${label} (check the S3 credentials and their permissions on bucket ${JSON.stringify(ctx.bucket)})`, options);
  }
  if (UNAVAILABLE_NAMES.has(name) || NETWORK_CODES.has(code) || e.$retryable !== undefined || (status !== undefined && (status >= 500 || status === 429))) {
    return new ObjectStoreUnavailableError(`${where} failed: ${label}`, options);
  }
  if (status === undefined && !PROGRAMMING_ERRORS.has(name)) {
    // No HTTP answer at all: a connection or protocol failure the SDK did not name.
    return new ObjectStoreUnavailableError(`${where} failed without an HTTP answer: ${label}`, options);
  }
  return new ObjectStoreRequestError(`${where} was refused: ${label}`, options);
}
