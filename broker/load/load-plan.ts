// The load manager's decisions, as pure functions over load reports (unit-tested; deterministic: ties go to the
// lowest broker id, partitions are taken in topic/partition order):
// - placement of an unowned partition on the least-loaded eligible broker, with a joining broker taking at most
//   `joinRampPerRound` new partitions per round so it is not flooded;
// - shedding from an overloaded broker, with hysteresis: a broker sheds only after being above
//   (1 + `overloadAbove`) × the cluster mean for `overloadRounds` rounds in a row, sheds down to
//   (1 + `settleBelow`) × the mean, at most `maxMovesPerRound` partitions per round, and a partition that moved
//   does not move again for `cooldownMs`.
import type { LoadReport } from './load-report.js';

export interface LoadPlanOptions {
  overloadAbove: number;
  settleBelow: number;
  overloadRounds: number;
  maxMovesPerRound: number;
  cooldownMs: number;
  /** A broker whose first report is younger than this is joining. */
  joinRampMs: number;
  joinRampPerRound: number;
  /** Message rates below this (msg/s, cluster mean) do not count as load: placement goes by partition count. */
  minRateForLoad: number;
}

export const DEFAULT_LOAD_PLAN_OPTIONS: LoadPlanOptions = {
  overloadAbove: 0.3,
  settleBelow: 0.1,
  overloadRounds: 2,
  maxMovesPerRound: 4,
  cooldownMs: 5 * 60_000,
  joinRampMs: 60_000,
  joinRampPerRound: 10,
  minRateForLoad: 100,
};

/** A broker the plan may use: live, with its latest report (if any), draining or not. */
export interface Candidate {
  id: string;
  draining: boolean;
  report: LoadReport | undefined;
}

/**
 * Each broker's load relative to the cluster mean (1 = average): the larger of its share of the partitions and,
 * when the cluster carries traffic, its share of the message rate (in + out) and of CPU. `extra` adds partitions
 * placed since the reports were written.
 */
export function relativeLoads(candidates: readonly Candidate[], extra: ReadonlyMap<string, number> = new Map(), options = DEFAULT_LOAD_PLAN_OPTIONS): Map<string, number> {
  const n = Math.max(1, candidates.length);
  const partitions = candidates.map((c) => (c.report?.partitions ?? 0) + (extra.get(c.id) ?? 0));
  const rates = candidates.map((c) => (c.report ? c.report.msgRateIn + c.report.msgRateOut : 0));
  const cpus = candidates.map((c) => c.report?.cpu ?? 0);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / n;
  const meanPartitions = Math.max(1, mean(partitions));
  const meanRate = mean(rates);
  const meanCpu = mean(cpus);
  const out = new Map<string, number>();
  candidates.forEach((c, i) => {
    let load = partitions[i]! / meanPartitions;
    if (meanRate >= options.minRateForLoad) load = Math.max(load, rates[i]! / meanRate);
    if (meanRate >= options.minRateForLoad && meanCpu > 0.05) load = Math.max(load, cpus[i]! / meanCpu);
    out.set(c.id, load);
  });
  return out;
}

/**
 * Where an unowned partition goes: the eligible (not draining) broker with the lowest load, counting the
 * placements its load report does not show yet (`unreported`; by default what was placed this round); a joining
 * broker that already got `joinRampPerRound` this round (`placed`) is passed over while another broker can take
 * it. Undefined when no broker is eligible.
 */
export function choosePlacement(
  candidates: readonly Candidate[],
  placed: ReadonlyMap<string, number>,
  now: number,
  options = DEFAULT_LOAD_PLAN_OPTIONS,
  unreported: ReadonlyMap<string, number> = placed,
): string | undefined {
  const eligible = sortById(candidates.filter((c) => !c.draining));
  if (eligible.length === 0) return undefined;
  const loads = relativeLoads(eligible, unreported, options);
  const ramped = eligible.filter((c) => !(isJoining(c, now, options) && (placed.get(c.id) ?? 0) >= options.joinRampPerRound));
  const pool = ramped.length > 0 ? ramped : eligible;
  let best = pool[0]!;
  for (const c of pool) if (loads.get(c.id)! < loads.get(best.id)!) best = c;
  return best.id;
}

export interface OwnedPartition {
  topic: string;
  partition: number;
  broker: string;
}

export interface SheddingState {
  /** Per broker, consecutive rounds it was above the overload bound. */
  overloadedRounds: Map<string, number>;
  /** Per partition (`topic/partition`), when it last moved. */
  movedAt: Map<string, number>;
}

export interface PlannedMove {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

/** One shedding round: updates `state` and returns the moves to make (possibly none). */
export function planShedding(candidates: readonly Candidate[], owned: readonly OwnedPartition[], state: SheddingState, now: number, options = DEFAULT_LOAD_PLAN_OPTIONS): PlannedMove[] {
  const eligible = sortById(candidates.filter((c) => !c.draining && c.report !== undefined));
  if (eligible.length < 2) return [];
  const loads = relativeLoads(eligible, new Map(), options);
  for (const c of eligible) {
    const over = loads.get(c.id)! > 1 + options.overloadAbove;
    state.overloadedRounds.set(c.id, over ? (state.overloadedRounds.get(c.id) ?? 0) + 1 : 0);
  }
  for (const id of [...state.overloadedRounds.keys()]) if (!eligible.some((c) => c.id === id)) state.overloadedRounds.delete(id);
  const sources = eligible
    .filter((c) => state.overloadedRounds.get(c.id)! >= options.overloadRounds)
    .sort((a, b) => loads.get(b.id)! - loads.get(a.id)! || compare(a.id, b.id));
  const moves: PlannedMove[] = [];
  const count = new Map(eligible.map((c) => [c.id, 0]));
  for (const o of owned) if (count.has(o.broker)) count.set(o.broker, count.get(o.broker)! + 1);
  for (const source of sources) {
    const mine = owned
      .filter((o) => o.broker === source.id && now - (state.movedAt.get(`${o.topic}/${o.partition}`) ?? -Infinity) >= options.cooldownMs)
      .sort((a, b) => compare(a.topic, b.topic) || a.partition - b.partition);
    // Each partition is taken to carry an equal share of its broker's load.
    const perPartition = loads.get(source.id)! / Math.max(1, count.get(source.id)!);
    let load = loads.get(source.id)!;
    for (const o of mine) {
      if (moves.length >= options.maxMovesPerRound || load <= 1 + options.settleBelow) break;
      const target = eligible
        .filter((c) => c.id !== source.id)
        .reduce((best, c) => (loads.get(c.id)! < loads.get(best.id)! ? c : best));
      const targetCount = Math.max(1, count.get(target.id)!);
      const targetPerPartition = count.get(target.id)! === 0 ? perPartition : loads.get(target.id)! / targetCount;
      // Never make the target the new hot spot: stop when the move would lift it above the source.
      if (loads.get(target.id)! + targetPerPartition > load - perPartition) break;
      moves.push({ topic: o.topic, partition: o.partition, from: source.id, to: target.id });
      load -= perPartition;
      loads.set(source.id, load);
      loads.set(target.id, loads.get(target.id)! + targetPerPartition);
      count.set(target.id, count.get(target.id)! + 1);
      state.movedAt.set(`${o.topic}/${o.partition}`, now);
    }
    if (moves.some((m) => m.from === source.id)) state.overloadedRounds.set(source.id, 0);
  }
  return moves;
}

function isJoining(c: Candidate, now: number, options: LoadPlanOptions): boolean {
  return c.report === undefined || now - c.report.startedAt < options.joinRampMs;
}

function sortById(cs: readonly Candidate[]): Candidate[] {
  return [...cs].sort((a, b) => compare(a.id, b.id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
