// Bounds how many operations of one kind run at once (partition loads, ownership lookups), so a restart
// of a broker with thousands of partitions does not flood the metadata store and the bookies: the rest
// wait their turn in order (bounded queue). A finishing operation hands its slot straight to the first
// waiter, so a newcomer can never slip in ahead of the queue or past the limit.
import { PartitionBusyError } from '../errors.js';

export class LoadLimiter {
  private running = 0;
  private waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    /** What the operations are, for the error when the queue is full. */
    private readonly what = 'partitions waiting to load',
    private readonly maxWaiting = 100_000,
  ) {}

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else {
      if (this.waiting.length >= this.maxWaiting) throw new PartitionBusyError(`too many ${this.what}`);
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // resumes holding the slot handed over
    }
    try {
      return await op();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
