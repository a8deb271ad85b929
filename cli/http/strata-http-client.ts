// A small JSON client for the HTTP API (docs/http-api.md) used by `strata admin`, `produce` and
// `consume`: every request has a deadline, every failure is a typed CliError with an exit code.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ServerUnreachableError } from '../errors.js';
import { networkReason } from '../network-reason.js';

export interface RequestOptions {
  /** Deadline of the whole request including its body (default: the client's). */
  timeoutMs?: number;
  /** Ends the request early (Ctrl-C); it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Retry 503 answers (NOT_READY, …) after their retry-after. Only for requests safe to repeat. */
  retry?: boolean;
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

const MAX_ATTEMPTS = 4;
const MAX_RETRY_WAIT_MS = 5_000;

export class StrataHttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaultTimeoutMs = 30_000,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<HttpAnswer<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, body, options);
      } catch (err) {
        if (!(err instanceof ApiError) || !err.retriable || !options.retry || attempt >= MAX_ATTEMPTS) throw err;
        const waitMs = Math.min(MAX_RETRY_WAIT_MS, (err.retryAfterSeconds ?? 1) * 1000);
        await sleep(waitMs, undefined, { signal: options.signal });
      }
    }
  }

  private async once<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<HttpAnswer<T>> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await res.text();
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (deadline.aborted) throw new ServerUnreachableError(`no answer from ${this.baseUrl} within ${timeoutMs / 1000} s`, { cause: err });
      throw new ServerUnreachableError(`cannot reach Strata at ${this.baseUrl} (${networkReason(err)}); is it running? (set --url or STRATA_URL)`, { cause: err });
    }
    const parsed = parseJson(text);
    if (res.ok) return { status: res.status, body: parsed as T };
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const retryAfter = Number(res.headers.get('retry-after'));
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      throw new ApiError(res.status, error.code, error.message, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    throw new ApiError(res.status, `HTTP_${res.status}`, `${method} ${this.baseUrl}${path} answered ${res.status} ${res.statusText}; is ${this.baseUrl} a Strata broker?`);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

