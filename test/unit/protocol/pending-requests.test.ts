// PendingRequests: id allocation and wrap, the bound, timeouts (fake timers), late answers and failAll.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { PendingRequests } from '../../../protocol/pending-requests.js';
import { ConnectionClosedError, RequestTimeoutError, TooManyPendingRequestsError } from '../../../protocol/errors.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Observes a promise's outcome without leaving a rejection unhandled. */
function outcome<T>(promise: Promise<T>): { value?: T; error?: unknown; settled: boolean } {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(o, { value, settled: true }),
    (error: unknown) => Object.assign(o, { error, settled: true }),
  );
  return o;
}

describe('PendingRequests', () => {
  it('hands out ids 1, 2, 3 … and settles each waiter with its own response', async () => {
    const pending = new PendingRequests<string>();
    const reqs = [pending.register(), pending.register(), pending.register()];
    const second = outcome(reqs[1].response);
    expect(reqs.map((r) => r.requestId)).toEqual([1, 2, 3]);
    expect(pending.resolve(3, 'three')).toBe(true);
    expect(pending.resolve(1, 'one')).toBe(true);
    expect(pending.reject(2, new Error('two'))).toBe(true);
    await expect(reqs[0].response).resolves.toBe('one');
    await Promise.resolve();
    expect(second.error).toEqual(new Error('two'));
    await expect(reqs[2].response).resolves.toBe('three');
    expect(pending.size).toBe(0);
  });

  it('wraps after 2^32-1 to 1, never using 0 or an id still pending', () => {
    const pending = new PendingRequests<number>({ firstRequestId: 0xfffffffe });
    const a = pending.register();
    const b = pending.register();
    const c = pending.register();
    expect([a.requestId, b.requestId, c.requestId]).toEqual([0xfffffffe, 0xffffffff, 1]);
    // A full cycle of 2^32 ids brings the allocator back onto id 1, still pending: it must be skipped.
    const cycled = new PendingRequests<number>();
    const held = cycled.register();
    (cycled as unknown as { nextId: number }).nextId = held.requestId;
    expect(cycled.register().requestId).toBe(2);
  });

  it('refuses more than maxPending requests, and accepts again once one settles', () => {
    const pending = new PendingRequests<number>({ maxPending: 2 });
    const a = pending.register();
    pending.register();
    expect(pending.isFull).toBe(true);
    expect(() => pending.register()).toThrow(TooManyPendingRequestsError);
    pending.resolve(a.requestId, 1);
    expect(pending.register().requestId).toBe(3);
  });

  it('fails a request with RequestTimeoutError once its timeout has passed, and ignores its late answer', async () => {
    vi.useFakeTimers();
    const pending = new PendingRequests<string>({ timeoutMs: 1000, sweepIntervalMs: 100 });
    const a = pending.register();
    const aOutcome = outcome(a.response);
    await vi.advanceTimersByTimeAsync(900);
    expect(aOutcome.settled).toBe(false);
    const b = pending.register();
    const bOutcome = outcome(b.response);
    await vi.advanceTimersByTimeAsync(200);
    expect(aOutcome.error).toBeInstanceOf(RequestTimeoutError);
    expect(aOutcome.error).toMatchObject({ requestId: a.requestId, timeoutMs: 1000, retriable: true });
    expect(pending.resolve(a.requestId, 'late')).toBe(false);
    expect(pending.has(b.requestId)).toBe(true);
    expect(bOutcome.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(800);
    expect(bOutcome.error).toBeInstanceOf(RequestTimeoutError);
    expect(pending.size).toBe(0);
  });

  it('honours a shorter per-request timeout registered after a longer one', async () => {
    vi.useFakeTimers();
    const pending = new PendingRequests<string>({ timeoutMs: 10_000, sweepIntervalMs: 50 });
    const long = pending.register();
    const short = pending.register(200);
    const longOutcome = outcome(long.response);
    const shortOutcome = outcome(short.response);
    await vi.advanceTimersByTimeAsync(300);
    expect(shortOutcome.error).toBeInstanceOf(RequestTimeoutError);
    expect(shortOutcome.error).toMatchObject({ requestId: short.requestId, timeoutMs: 200 });
    expect(longOutcome.settled).toBe(false);
    expect(pending.resolve(long.requestId, 'ok')).toBe(true);
    await expect(long.response).resolves.toBe('ok');
  });

  it('stops its sweep timer when nothing is pending', async () => {
    vi.useFakeTimers();
    const pending = new PendingRequests<string>({ timeoutMs: 1000, sweepIntervalMs: 100 });
    pending.resolve(pending.register().requestId, 'x');
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('failAll rejects every pending request with the given error and leaves the map empty', async () => {
    const pending = new PendingRequests<string>();
    const reqs = [pending.register(), pending.register()];
    const outcomes = reqs.map((r) => outcome(r.response));
    const error = new ConnectionClosedError('gone');
    pending.failAll(error);
    await Promise.resolve();
    expect(outcomes.map((o) => o.error)).toEqual([error, error]);
    expect(pending.size).toBe(0);
    expect(pending.resolve(reqs[0].requestId, 'late')).toBe(false);
  });
});
