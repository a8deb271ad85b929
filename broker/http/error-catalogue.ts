// Every error code the HTTP API answers with, and its status: one table (http-api.md, "Errors").
import { StrataError } from '../../common/index.js';

export interface HttpErrorInfo {
  status: number;
  /** Seconds a client should wait before retrying (503s). */
  retryAfter?: number;
}

export const HTTP_ERRORS: Record<string, HttpErrorInfo> = {
  BAD_REQUEST: { status: 400 },
  INVALID_NAME: { status: 400 },
  INVALID_MESSAGE_ID: { status: 400 },
  INVALID_ACK: { status: 400 },
  TOPIC_NOT_FOUND: { status: 404 },
  SUBSCRIPTION_NOT_FOUND: { status: 404 },
  NOT_FOUND: { status: 404 },
  BROKER_NOT_FOUND: { status: 404 },
  TOPIC_EXISTS: { status: 409 },
  NO_TARGET_BROKER: { status: 409 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  NOT_READY: { status: 503, retryAfter: 1 },
  STORE_UNAVAILABLE: { status: 503, retryAfter: 2 },
  OWNERSHIP_LOST: { status: 503, retryAfter: 1 },
  PARTITION_UNAVAILABLE: { status: 503, retryAfter: 1 },
  PARTITION_BUSY: { status: 503, retryAfter: 1 },
  MANAGED_LEDGER_CLOSED: { status: 503, retryAfter: 1 },
  NOT_ENOUGH_BOOKIES: { status: 503, retryAfter: 2 },
  INTERNAL: { status: 500 },
};

export interface ErrorBody {
  error: { code: string; message: string };
}

/** The status, headers and body for any error. Unknown errors are INTERNAL and say little. */
export function toHttpError(err: unknown): { status: number; headers: Record<string, string>; body: ErrorBody } {
  let code = 'INTERNAL';
  let message = 'internal error';
  const forwarded = (err as { status?: unknown }).status;
  if (err instanceof StrataError && typeof forwarded === 'number' && !HTTP_ERRORS[err.code]) {
    // An error another broker answered with: pass its status and code on.
    return { status: forwarded, headers: forwarded === 503 ? { 'retry-after': '1' } : {}, body: { error: { code: err.code, message: err.message } } };
  }
  if (err instanceof StrataError && HTTP_ERRORS[err.code]) {
    code = err.code;
    message = err.message;
  } else if (err instanceof StrataError && err.retriable) {
    code = 'PARTITION_UNAVAILABLE';
    message = err.message;
  }
  const info = HTTP_ERRORS[code]!;
  const headers: Record<string, string> = info.retryAfter ? { 'retry-after': String(info.retryAfter) } : {};
  return { status: info.status, headers, body: { error: { code, message } } };
}
