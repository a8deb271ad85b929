// Where partitions should move: pure, deterministic functions over who owns what (sorted by topic and
// partition, brokers by id), unit-tested. Each move goes to the least-loaded eligible broker (ties: the
// lowest id), so the result is as even as the moves allow.
//
// - Rebalance: with P owned partitions and B eligible brokers (live, not draining), afterwards no broker
//   owns more than ⌈P/B⌉, with the fewest moves: the excess of each broker over ⌈P/B⌉, plus every
//   partition of a broker that is not eligible. No other partition moves.
// - Drain: every partition of the drained broker moves.
import { NoTargetBrokerError } from '../errors.js';

export interface OwnedPartition {
  topic: string;
  partition: number;
  broker: string;
}

export interface Move {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

export function planRebalance(owned: readonly OwnedPartition[], eligible: readonly string[]): Move[] {
  const cap = Math.ceil(owned.length / Math.max(1, eligible.length));
  const load = new Map(eligible.map((b) => [b, 0]));
  const leaving: OwnedPartition[] = [];
  for (const [broker, list] of byBroker(owned)) {
    if (!load.has(broker)) {
      leaving.push(...list);
      continue;
    }
    load.set(broker, Math.min(list.length, cap));
    leaving.push(...list.slice(cap));
  }
  return assign(leaving, load);
}

export function planDrain(owned: readonly OwnedPartition[], eligible: readonly string[], drained: string): Move[] {
  const load = new Map(eligible.filter((b) => b !== drained).map((b) => [b, 0]));
  for (const o of owned) if (load.has(o.broker)) load.set(o.broker, load.get(o.broker)! + 1);
  return assign(sorted(owned.filter((o) => o.broker === drained)), load);
}

/** Gives each partition, in order, to the least-loaded broker of `load` (which it updates). */
function assign(partitions: readonly OwnedPartition[], load: Map<string, number>): Move[] {
  if (partitions.length === 0) return [];
  const brokers = [...load.keys()].sort(compareStrings);
  if (brokers.length === 0) throw new NoTargetBrokerError(`${partitions.length} partitions must move and no live broker that is not draining can take them`);
  return sorted(partitions).map((o) => {
    let to = brokers[0]!;
    for (const b of brokers) if (load.get(b)! < load.get(to)!) to = b;
    load.set(to, load.get(to)! + 1);
    return { topic: o.topic, partition: o.partition, from: o.broker, to };
  });
}

/** Each broker's partitions, sorted; brokers in id order. */
function byBroker(owned: readonly OwnedPartition[]): Array<[string, OwnedPartition[]]> {
  const map = new Map<string, OwnedPartition[]>();
  for (const o of sorted(owned)) {
    let list = map.get(o.broker);
    if (!list) map.set(o.broker, (list = []));
    list.push(o);
  }
  return [...map].sort(([a], [b]) => compareStrings(a, b));
}

function sorted(owned: readonly OwnedPartition[]): OwnedPartition[] {
  return [...owned].sort((a, b) => compareStrings(a.topic, b.topic) || a.partition - b.partition);
}

/** Code-unit order, the same on every machine (no locale). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
