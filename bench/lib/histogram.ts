// Latency samples and their percentiles, for benchmarks.

export class LatencySamples {
  private samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  percentile(p: number): number {
    if (this.samples.length === 0) return NaN;
    const sorted = Float64Array.from(this.samples).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }

  summary(): string {
    return `p50 ${this.percentile(50).toFixed(2)} ms, p99 ${this.percentile(99).toFixed(2)} ms, p999 ${this.percentile(99.9).toFixed(2)} ms`;
  }
}
