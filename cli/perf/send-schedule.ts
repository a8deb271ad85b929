// The open-loop schedule of a fixed-rate producer: message k is due at start + k / rate, whatever the
// acks do, so a slow broker shows up as latency rather than as a lower send rate.

export class SendSchedule {
  constructor(
    /** performance.now() when message 0 is due. */
    readonly startMs: number,
    /** Messages per second, > 0. */
    readonly ratePerSecond: number,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0, not ${ratePerSecond}`);
  }

  /** When message k (0-based) is due. */
  dueAt(k: number): number {
    return this.startMs + (k * 1000) / this.ratePerSecond;
  }

  /** How many messages are due by `nowMs` (messages 0 … n − 1); 0 before the start. */
  dueBy(nowMs: number): number {
    if (nowMs < this.startMs) return 0;
    // The epsilon keeps dueBy(dueAt(k)) > k despite rounding.
    return Math.floor(((nowMs - this.startMs) * this.ratePerSecond) / 1000 + 1e-9) + 1;
  }
}
