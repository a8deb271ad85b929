// A watch's bounded event queue, exposed as an async iterable. It never grows without bound and never
// drops an event silently: when a reader falls more than `capacity` events behind, the queued events
// are replaced by one `reset` carrying the prefix's current state, fetched by `relist`.
import type { ListResult, Watch, WatchEvent } from './metadata-store.js';

export const DEFAULT_WATCH_CAPACITY = 10_000;

export class WatchQueue implements Watch {
  private events: WatchEvent[] = [];
  private waiter: ((result: IteratorResult<WatchEvent>) => void) | undefined;
  private failer: ((err: unknown) => void) | undefined;
  private closed = false;
  private failure: unknown;
  private relisting = false;

  constructor(
    private readonly relist: () => Promise<ListResult>,
    private readonly onClose: () => Promise<void>,
    private readonly capacity = DEFAULT_WATCH_CAPACITY,
  ) {}

  /** Adds an event; over capacity, the queue collapses into a reset. */
  push(event: WatchEvent): void {
    if (this.closed || this.relisting) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failer = undefined;
      w({ value: event, done: false });
      return;
    }
    if (this.events.length >= this.capacity) {
      this.overflow();
      return;
    }
    this.events.push(event);
  }

  /**
   * Replaces everything queued by a reset listing the prefix now. Events pushed while the listing is
   * read are dropped because the listing includes them; the caller resumes pushing after `revision`.
   */
  overflow(resume?: (revision: number) => void): void {
    if (this.closed || this.relisting) return;
    this.relisting = true;
    this.events = [];
    this.relist().then(
      ({ entries, revision }) => {
        this.relisting = false;
        this.push({ type: 'reset', entries, revision });
        resume?.(revision);
      },
      (err: unknown) => this.fail(err),
    );
  }

  /** Ends the iteration with an error (after the events already queued). */
  fail(err: unknown): void {
    if (this.closed) return;
    this.failure = err;
    this.relisting = false;
    if (this.failer) {
      const f = this.failer;
      this.waiter = this.failer = undefined;
      f(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events = [];
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = this.failer = undefined;
      w({ value: undefined, done: true });
    }
    await this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => {
        const event = this.events.shift();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        if (this.failure !== undefined) return Promise.reject(this.failure);
        return new Promise((resolve, reject) => {
          this.waiter = resolve;
          this.failer = reject;
        });
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }
}
