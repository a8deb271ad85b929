// Latency percentiles of the load generators: an HdrHistogram (microseconds, 3 significant digits) for
// the current reporting interval, folded into the whole run's histogram each time the interval is read.
import { Int32Histogram } from 'hdr-histogram-js';

/** Percentiles in milliseconds; NaN when nothing was recorded. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One bar of the printed histogram: how many latencies fell in [fromMs, toMs). */
export interface LatencyBucket {
  fromMs: number;
  toMs: number;
  count: number;
}

/** Highest value before the histogram resizes: 60 s in µs (it grows beyond that on its own). */
const INITIAL_HIGHEST_US = 60_000_000;

function newHistogram(): Int32Histogram {
  const h = new Int32Histogram(1, INITIAL_HIGHEST_US, 3);
  h.autoResize = true;
  return h;
}

export class LatencyRecorder {
  private readonly interval = newHistogram();
  private readonly total = newHistogram();

  /** Records one latency in milliseconds (negative values, from clock skew, count as 0). */
  record(ms: number): void {
    this.interval.recordValue(ms > 0 ? Math.round(ms * 1000) : 0);
  }

  /** The interval since the last call; it then counts towards the run's total and starts again empty. */
  takeInterval(): LatencySummary {
    const s = summarise(this.interval);
    this.total.add(this.interval);
    this.interval.reset();
    return s;
  }

  /** The whole run so far (including the open interval). */
  summary(): LatencySummary {
    this.fold();
    return summarise(this.total);
  }

  /**
   * The run's latencies in buckets of a 1-2-5 scale (0.1, 0.2, 0.5, 1, 2, 5 ms …), from the bucket of
   * the smallest latency to that of the largest; empty buckets in between are kept so the shape shows.
   */
  buckets(): LatencyBucket[] {
    this.fold();
    const counts = new Map<number, number>();
    const it = this.total.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      const bound = bucketIndex(v.valueIteratedTo / 1000);
      counts.set(bound, (counts.get(bound) ?? 0) + v.countAtValueIteratedTo);
    }
    if (counts.size === 0) return [];
    const indexes = [...counts.keys()];
    const out: LatencyBucket[] = [];
    for (let i = Math.min(...indexes); i <= Math.max(...indexes); i++) out.push({ fromMs: bucketStart(i), toMs: bucketStart(i + 1), count: counts.get(i) ?? 0 });
    return out;
  }

  private fold(): void {
    if (this.interval.totalCount === 0) return;
    this.total.add(this.interval);
    this.interval.reset();
  }
}

function summarise(h: Int32Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return { count, p50: NaN, p95: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  // A percentile is the top of its bucket (3 significant digits), which may lie above the largest value seen.
  const ms = (p: number) => Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000;
  return { count, p50: ms(50), p95: ms(95), p99: ms(99), p999: ms(99.9), max: h.maxValue / 1000, mean: h.mean / 1000 };
}

// Bucket i starts at STEPS[i mod 3] × 10^(floor(i / 3)) × 0.01 ms: index 0 is 0.01 ms, 3 is 0.1 ms, 9 is 10 ms.
const STEPS = [1, 2, 5];
const SMALLEST_MS = 0.01;

function bucketStart(i: number): number {
  return Number((STEPS[((i % 3) + 3) % 3]! * 10 ** Math.floor(i / 3) * SMALLEST_MS).toPrecision(3));
}

function bucketIndex(ms: number): number {
  if (ms < SMALLEST_MS) return 0;
  let i = Math.max(0, Math.floor(Math.log10(ms / SMALLEST_MS)) * 3);
  while (bucketStart(i + 1) <= ms) i++;
  while (i > 0 && bucketStart(i) > ms) i--;
  return i;
}
