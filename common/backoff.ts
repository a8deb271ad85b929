// Exponential backoff with full jitter: the single retry policy every part uses.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;

  constructor({ initialMs = 50, maxMs = 5_000, factor = 2 }: BackoffOptions = {}) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.factor = factor;
  }

  /** The next wait: uniformly random in [0, min(max, initial × factor^attempt)]. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.round(Math.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
