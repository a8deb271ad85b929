// withRetries: retries only retriable errors, as many times as asked, with Backoff's jittered waits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../../common/index.js';
import { ObjectNotFoundError, ObjectStoreUnavailableError, withRetries } from '../../../objectstore/index.js';

/** A Backoff whose waits are fixed, so tests assert them exactly. */
class FixedBackoff extends Backoff {
  constructor(private readonly waits: number[]) {
    super();
  }
  override next(): number {
    return this.waits.shift() ?? 0;
  }
}

const unavailable = () => new ObjectStoreUnavailableError('down');

describe('withRetries', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('returns the first success and passes the attempt number', async () => {
    const seen: number[] = [];
    const result = await withRetries(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw unavailable();
      return 'ok';
    }, { attempts: 5, backoff: new FixedBackoff([0, 0]) });
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('waits what the backoff says between attempts, and reports each retry', async () => {
    vi.useFakeTimers();
    const retries: Array<[string, number, number]> = [];
    let calls = 0;
    const p = withRetries(async () => {
      calls++;
      if (calls < 3) throw unavailable();
      return calls;
    }, { attempts: 3, backoff: new FixedBackoff([100, 250]), onRetry: (err, attempt, waitMs) => retries.push([(err as Error).message, attempt, waitMs]) });
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(await p).toBe(3);
    expect(retries).toEqual([['down', 1, 100], ['down', 2, 250]]);
  });

  it('uses exponential backoff with full jitter by default', async () => {
    vi.useFakeTimers();
    const waits: number[] = [];
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const p = withRetries(() => Promise.reject(unavailable()), { attempts: 5, backoff: { initialMs: 10, maxMs: 50 }, onRetry: (_e, _a, w) => waits.push(w) });
    const settled = p.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await settled).toBeInstanceOf(ObjectStoreUnavailableError);
    expect(waits).toEqual([10, 20, 40, 50]);
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    waits.length = 0;
    const q = withRetries(() => Promise.reject(unavailable()), { attempts: 3, backoff: { initialMs: 10 }, onRetry: (_e, _a, w) => waits.push(w) }).catch(() => undefined);
    await vi.runAllTimersAsync();
    await q;
    expect(waits).toEqual([5, 10]);
  });

  it('does not retry an error that is not retriable and rethrows it unchanged', async () => {
    const err = new ObjectNotFoundError('k');
    let calls = 0;
    await expect(withRetries(async () => {
      calls++;
      throw err;
    }, { attempts: 5, backoff: new FixedBackoff([]) })).rejects.toBe(err);
    expect(calls).toBe(1);
    const plain = new Error('not a StrataError');
    await expect(withRetries(() => Promise.reject(plain), { attempts: 5 })).rejects.toBe(plain);
  });

  it('gives up after `attempts` tries with the last error', async () => {
    let calls = 0;
    const last = await withRetries(async () => {
      calls++;
      throw new ObjectStoreUnavailableError(`failure ${calls}`);
    }, { attempts: 4, backoff: new FixedBackoff([0, 0, 0]) }).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect((last as Error).message).toBe('failure 4');
  });

  it('follows a custom retriable predicate', async () => {
    let calls = 0;
    const result = await withRetries(async () => {
      if (++calls < 3) throw new Error('flaky');
      return calls;
    }, { attempts: 3, backoff: new FixedBackoff([0, 0]), retriable: (e) => (e as Error).message === 'flaky' });
    expect(result).toBe(3);
  });

  it('an abort during a wait rejects with the reason and stops retrying', async () => {
    const controller = new AbortController();
    let calls = 0;
    const p = withRetries(async () => {
      calls++;
      if (calls === 1) setTimeout(() => controller.abort(new Error('shutting down')), 10);
      throw unavailable();
    }, { attempts: 10, backoff: new FixedBackoff([60_000]), signal: controller.signal });
    await expect(p).rejects.toThrow('shutting down');
    expect(calls).toBe(1);
  });

  it('refuses fewer than one attempt', async () => {
    await expect(withRetries(async () => 1, { attempts: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
