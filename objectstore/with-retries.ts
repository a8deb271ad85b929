// The one retry loop of the object stores: tries an operation again only on retriable errors,
// waiting between attempts with exponential backoff and full jitter (common's Backoff).
import { Backoff, StrataError, delay, type BackoffOptions } from '../common/index.js';

export interface RetryOptions {
  /** Total tries, the first included (>= 1). */
  attempts: number;
  /** The waits between tries: options for a fresh Backoff, or an instance the caller owns (its state is used as is). */
  backoff?: Backoff | BackoffOptions;
  /** Which errors are worth another try; by default a StrataError whose `retriable` is true. */
  retriable?: (err: unknown) => boolean;
  /** Aborting stops the waits and rejects with the signal's reason; a running attempt is not interrupted. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log: the error that failed attempt `attempt` (1-based). */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

export function isRetriable(err: unknown): boolean {
  return err instanceof StrataError && err.retriable;
}

/**
 * Runs `op` until it succeeds, throws an error `retriable` refuses, or `attempts` tries have failed;
 * then rejects with that last error unchanged. `op` gets the 1-based attempt number.
 */
export async function withRetries<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, retriable = isRetriable, signal, onRetry } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  const backoff = options.backoff instanceof Backoff ? options.backoff : new Backoff(options.backoff);
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await op(attempt);
    } catch (err) {
      if (attempt >= attempts || !retriable(err)) throw err;
      const waitMs = backoff.next();
      onRetry?.(err, attempt, waitMs);
      await delay(waitMs, signal);
    }
  }
}
