// The pieces of `strata perf` that need no server: the open-loop send schedule and the latency recorder.
import { describe, expect, it } from 'vitest';
import { LatencyRecorder, SendSchedule } from '../../../cli/perf/index.js';

describe('send schedule', () => {
  it('makes message k due at start + k / rate, and counts what is due by a time', () => {
    const s = new SendSchedule(1000, 2000);
    expect(s.dueAt(0)).toBe(1000);
    expect(s.dueAt(2000)).toBe(2000);
    expect(s.dueBy(999)).toBe(0);
    expect(s.dueBy(1000)).toBe(1);
    expect(s.dueBy(1000.49)).toBe(1);
    expect(s.dueBy(1001)).toBe(3);
    expect(s.dueBy(2000)).toBe(2001);
  });

  it('counts message k as due at its own due time despite rounding', () => {
    for (const rate of [3, 7, 1000, 33_333, 123_457]) {
      const s = new SendSchedule(12.345, rate);
      for (const k of [1, 2, 10, 999, 12_345]) expect(s.dueBy(s.dueAt(k)), `${rate}/${k}`).toBe(k + 1);
    }
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new SendSchedule(0, 0)).toThrow(RangeError);
  });
});

describe('latency recorder', () => {
  it('gives percentiles in ms over an interval, then over the whole run', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) r.record(i / 100); // 0.01 … 10 ms
    const first = r.takeInterval();
    expect(first.count).toBe(1000);
    expect(first.p50).toBeCloseTo(5, 1);
    expect(first.p99).toBeCloseTo(9.9, 1);
    expect(first.max).toBeCloseTo(10, 2);
    r.record(100);
    expect(r.takeInterval()).toMatchObject({ count: 1, max: 100 });
    const total = r.summary();
    expect(total.count).toBe(1001);
    expect(total.max).toBe(100);
    expect(total.p999).toBeLessThanOrEqual(total.max);
    expect(r.takeInterval().count).toBe(0);
    expect(Number.isNaN(r.takeInterval().p50)).toBe(true);
  });

  it('sorts latencies into 1-2-5 buckets from the smallest to the largest, empty ones kept', () => {
    const r = new LatencyRecorder();
    r.record(0.15);
    r.record(0.15);
    r.record(1.5);
    r.record(7);
    expect(r.buckets()).toEqual([
      { fromMs: 0.1, toMs: 0.2, count: 2 },
      { fromMs: 0.2, toMs: 0.5, count: 0 },
      { fromMs: 0.5, toMs: 1, count: 0 },
      { fromMs: 1, toMs: 2, count: 1 },
      { fromMs: 2, toMs: 5, count: 0 },
      { fromMs: 5, toMs: 10, count: 1 },
    ]);
    expect(new LatencyRecorder().buckets()).toEqual([]);
  });
});
