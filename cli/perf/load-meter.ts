// What a load generator counts: messages, bytes and failures in total and per reporting interval, and
// their latencies. Single-threaded: every producer and consumer of one run shares one meter.
import { LatencyRecorder, type LatencySummary } from './latency-recorder.js';

/** One reporting interval (about a second). */
export interface IntervalReport {
  /** Seconds since the run started, at the end of this interval. */
  elapsedSeconds: number;
  /** Length of this interval in seconds. */
  seconds: number;
  messages: number;
  bytes: number;
  failed: number;
  latency: LatencySummary;
}

export class LoadMeter {
  messages = 0;
  bytes = 0;
  failed = 0;
  readonly latency = new LatencyRecorder();
  readonly startedAt = performance.now();
  private last = { at: this.startedAt, messages: 0, bytes: 0, failed: 0 };

  add(bytes: number, latencyMs: number): void {
    this.messages++;
    this.bytes += bytes;
    this.latency.record(latencyMs);
  }

  fail(): void {
    this.failed++;
  }

  /** Seconds since the run started. */
  elapsedSeconds(now = performance.now()): number {
    return (now - this.startedAt) / 1000;
  }

  /** What happened since the previous call (or the start). */
  takeInterval(): IntervalReport {
    const now = performance.now();
    const report = {
      elapsedSeconds: this.elapsedSeconds(now),
      seconds: (now - this.last.at) / 1000,
      messages: this.messages - this.last.messages,
      bytes: this.bytes - this.last.bytes,
      failed: this.failed - this.last.failed,
      latency: this.latency.takeInterval(),
    };
    this.last = { at: now, messages: this.messages, bytes: this.bytes, failed: this.failed };
    return report;
  }
}
