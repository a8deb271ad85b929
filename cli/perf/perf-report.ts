// What `strata perf` prints: a progress line per interval (standard error), the summary as a table or one
// JSON object (standard output), and the latency histogram. MB is 10^6 bytes.
import { textTable } from '../text-table.js';
import type { LatencyBucket, LatencySummary } from './latency-recorder.js';
import type { IntervalReport } from './load-meter.js';

export interface RunTotals {
  messages: number;
  bytes: number;
  seconds: number;
  latency: LatencySummary;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));
const rate = (n: number, seconds: number) => (seconds > 0 ? n / seconds : 0);
const round = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

/** `  5 s   49,871 msg/s   51.1 MB/s   latency ms p50 1.21  p99 3.40  p999 6.02 …` */
export function progressLine(latencyName: string, r: IntervalReport, extra: Record<string, number> = {}): string {
  const parts = [
    `${r.elapsedSeconds.toFixed(0).padStart(4)} s`,
    `${count.format(rate(r.messages, r.seconds)).padStart(9)} msg/s`,
    `${(rate(r.bytes, r.seconds) / 1e6).toFixed(1).padStart(7)} MB/s`,
    `${latencyName} ms p50 ${ms(r.latency.p50)}  p99 ${ms(r.latency.p99)}  p999 ${ms(r.latency.p999)}`,
  ];
  if (r.failed > 0) parts.push(`failed ${count.format(r.failed)}`);
  for (const [k, v] of Object.entries(extra)) parts.push(`${k} ${count.format(v)}`);
  return parts.join('   ') + '\n';
}

/** The summary as an aligned table with one header row. */
export function summaryTable(latencyName: string, t: RunTotals, extraColumns: Record<string, string | number> = {}): string {
  const l = t.latency;
  const headers = ['MESSAGES', ...Object.keys(extraColumns), 'SECONDS', 'MSG/S', 'MB/S', ...['P50', 'P95', 'P99', 'P999', 'MAX'].map((p) => `${latencyName} ${p} MS`)];
  const row = [
    count.format(t.messages),
    ...Object.values(extraColumns),
    t.seconds.toFixed(2),
    count.format(rate(t.messages, t.seconds)),
    (rate(t.bytes, t.seconds) / 1e6).toFixed(1),
    ...[l.p50, l.p95, l.p99, l.p999, l.max].map(ms),
  ];
  return textTable(headers, [row]);
}

/** The fields every JSON summary has: counts, rates and latency percentiles in ms (null when none). */
export function summaryJson(t: RunTotals): Record<string, unknown> {
  const l = t.latency;
  return {
    messages: t.messages,
    bytes: t.bytes,
    seconds: round(t.seconds, 3),
    msgPerSec: round(rate(t.messages, t.seconds), 1),
    mbPerSec: round(rate(t.bytes, t.seconds) / 1e6, 3),
    latencyMs: { p50: round(l.p50, 3), p95: round(l.p95, 3), p99: round(l.p99, 3), p999: round(l.p999, 3), max: round(l.max, 3), mean: round(l.mean, 3) },
  };
}

const BAR_WIDTH = 40;

/** One line per bucket: range, count, share and a bar scaled to the fullest bucket. */
export function histogramText(title: string, buckets: readonly LatencyBucket[]): string {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return `${title}: no samples\n`;
  const most = Math.max(...buckets.map((b) => b.count));
  const rows = buckets.map((b) => [
    `${b.fromMs} - ${b.toMs} ms`,
    count.format(b.count),
    `${((100 * b.count) / total).toFixed(2)} %`,
    '#'.repeat(Math.round((BAR_WIDTH * b.count) / most)) || (b.count > 0 ? '.' : ''),
  ]);
  return `${title}\n` + textTable(['LATENCY', 'COUNT', 'SHARE', ''], rows);
}
