// Client-side pipelining: allocates request ids and holds the bounded set of requests awaiting a response.
import { RequestTimeoutError, TooManyPendingRequestsError } from './errors.js';

export interface PendingRequestsOptions {
  /** Most requests in flight at once; register() beyond it throws TooManyPendingRequestsError. Default 10,000. */
  maxPending?: number;
  /** Default per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** How often due requests are failed; a timeout fires up to this late. Default timeoutMs / 10, within [10, 1000]. */
  sweepIntervalMs?: number;
  /** The first id handed out (tests of the u32 wrap). Default 1. */
  firstRequestId?: number;
}

export interface PendingRequest<T> {
  requestId: number;
  /** Settles with the response, a RequestTimeoutError, or the error given to reject()/failAll(). */
  response: Promise<T>;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
  deadline: number;
  timeoutMs: number;
}

const MAX_REQUEST_ID = 0xffffffff;

/**
 * Request ids run 1 … 2^32−1 and wrap; 0 is never used (it marks connection-level ERROR frames), nor an id still
 * pending. Timeouts share one unref'd interval timer that runs only while something is pending, instead of one timer
 * per request. A response that arrives after its request timed out or failed is reported as unknown (resolve → false).
 */
export class PendingRequests<T> {
  readonly maxPending: number;
  readonly timeoutMs: number;
  readonly sweepIntervalMs: number;
  private readonly waiters = new Map<number, Waiter<T>>();
  private nextId: number;
  private timer: NodeJS.Timeout | undefined;
  /** True while waiters are in deadline order (always, when every request uses the same timeout). */
  private deadlinesSorted = true;
  private lastDeadline = 0;

  constructor({ maxPending = 10_000, timeoutMs = 30_000, sweepIntervalMs, firstRequestId = 1 }: PendingRequestsOptions = {}) {
    if (!(maxPending >= 1 && maxPending < MAX_REQUEST_ID)) throw new RangeError(`maxPending out of range: ${maxPending}`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
    if (!(firstRequestId >= 1 && firstRequestId <= MAX_REQUEST_ID)) throw new RangeError(`bad firstRequestId ${firstRequestId}`);
    this.maxPending = maxPending;
    this.timeoutMs = timeoutMs;
    this.sweepIntervalMs = sweepIntervalMs ?? Math.min(1000, Math.max(10, Math.floor(timeoutMs / 10)));
    this.nextId = firstRequestId;
  }

  get size(): number {
    return this.waiters.size;
  }

  get isFull(): boolean {
    return this.waiters.size >= this.maxPending;
  }

  has(requestId: number): boolean {
    return this.waiters.has(requestId);
  }

  /** Allocates an id and its waiter; send the request with that id. Throws TooManyPendingRequestsError when full. */
  register(timeoutMs: number = this.timeoutMs): PendingRequest<T> {
    if (this.waiters.size >= this.maxPending) throw new TooManyPendingRequestsError(this.maxPending);
    let requestId = this.nextId;
    while (this.waiters.has(requestId)) requestId = requestId === MAX_REQUEST_ID ? 1 : requestId + 1;
    this.nextId = requestId === MAX_REQUEST_ID ? 1 : requestId + 1;

    const deadline = Date.now() + timeoutMs;
    if (deadline < this.lastDeadline) this.deadlinesSorted = false;
    this.lastDeadline = deadline;
    let waiter!: Waiter<T>;
    const response = new Promise<T>((resolve, reject) => {
      waiter = { resolve, reject, deadline, timeoutMs };
    });
    this.waiters.set(requestId, waiter);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.sweepIntervalMs);
      this.timer.unref();
    }
    return { requestId, response };
  }

  /** Settles a request with its response; false if the id is not pending (late, or never sent). */
  resolve(requestId: number, value: T): boolean {
    const waiter = this.take(requestId);
    if (waiter === undefined) return false;
    waiter.resolve(value);
    return true;
  }

  /** Fails one request (e.g. its send failed, or the peer answered ERROR); false if the id is not pending. */
  reject(requestId: number, error: Error): boolean {
    const waiter = this.take(requestId);
    if (waiter === undefined) return false;
    waiter.reject(error);
    return true;
  }

  /** Fails every pending request with `error` (connection lost). Later registrations are allowed. */
  failAll(error: Error): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.idle();
    for (const waiter of waiters) waiter.reject(error);
  }

  private take(requestId: number): Waiter<T> | undefined {
    const waiter = this.waiters.get(requestId);
    if (waiter === undefined) return undefined;
    this.waiters.delete(requestId);
    if (this.waiters.size === 0) this.resetOrder();
    return waiter;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [requestId, waiter] of this.waiters) {
      if (waiter.deadline > now) {
        if (this.deadlinesSorted) break;
        continue;
      }
      this.waiters.delete(requestId);
      waiter.reject(new RequestTimeoutError(requestId, waiter.timeoutMs));
    }
    if (this.waiters.size === 0) this.idle();
  }

  private idle(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.resetOrder();
  }

  private resetOrder(): void {
    this.deadlinesSorted = true;
    this.lastDeadline = 0;
  }
}
