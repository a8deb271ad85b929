// Bounds how many partitions load at once, so a restart of a broker with thousands of partitions does
// not flood the metadata store and the bookies: loads wait their turn (bounded queue).
import { PartitionBusyError } from '../errors.js';

export class LoadLimiter {
  private running = 0;
  private waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting = 100_000,
  ) {}

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new PartitionBusyError('too many partitions waiting to load');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await op();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
