// Reads a histogram from a Prometheus text endpoint and estimates its percentiles (bucket upper bounds).

export interface HistogramSnapshot {
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
}

export async function scrapeHistogram(url: string, name: string): Promise<HistogramSnapshot> {
  const text = await (await fetch(url)).text();
  const buckets: Array<[number, number]> = [];
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      buckets.push([le === '+Inf' ? Infinity : Number(le), v]);
    } else if (line.startsWith(`${name}_count`)) count = Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith(`${name}_sum`)) sum = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { buckets, count, sum };
}

/** The difference of two snapshots of one histogram (what happened between them). */
export function histogramDelta(after: HistogramSnapshot, before: HistogramSnapshot): HistogramSnapshot {
  return {
    buckets: after.buckets.map(([le, v], i) => [le, v - (before.buckets[i]?.[1] ?? 0)]),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** The smallest bucket bound under which at least p % of the observations fall. */
export function histogramPercentile(h: HistogramSnapshot, p: number): number {
  const target = (p / 100) * h.count;
  for (const [le, v] of h.buckets) if (v >= target) return le;
  return Infinity;
}
