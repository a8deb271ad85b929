// Rebalance and drain plans: balanced results with the fewest moves, deterministic, drains to the least loaded.
import { describe, expect, it } from 'vitest';
import { planDrain, planRebalance, type Move, type OwnedPartition } from '../../../../broker/placement/index.js';
import { NoTargetBrokerError } from '../../../../broker/index.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';

const owned = (topic: string, broker: string, partitions: number[]): OwnedPartition[] => partitions.map((partition) => ({ topic, partition, broker }));

/** Partitions per broker after applying the moves. */
function loadAfter(before: readonly OwnedPartition[], moves: readonly Move[], brokers: readonly string[]): Record<string, number> {
  const owner = new Map(before.map((o) => [`${o.topic}/${o.partition}`, o.broker]));
  for (const m of moves) {
    expect(owner.get(`${m.topic}/${m.partition}`), `${m.topic}/${m.partition} moves from its owner`).toBe(m.from);
    owner.set(`${m.topic}/${m.partition}`, m.to);
  }
  const load: Record<string, number> = Object.fromEntries(brokers.map((b) => [b, 0]));
  for (const b of owner.values()) load[b] = (load[b] ?? 0) + 1;
  return load;
}

describe('rebalance plan', () => {
  it('spreads 6 partitions of one broker over 3: two each, four moves', () => {
    const before = owned('public/default/t', 'broker-1', [0, 1, 2, 3, 4, 5]);
    const moves = planRebalance(before, ['broker-1', 'broker-2', 'broker-3']);
    expect(moves).toEqual([
      { topic: 'public/default/t', partition: 2, from: 'broker-1', to: 'broker-2' },
      { topic: 'public/default/t', partition: 3, from: 'broker-1', to: 'broker-3' },
      { topic: 'public/default/t', partition: 4, from: 'broker-1', to: 'broker-2' },
      { topic: 'public/default/t', partition: 5, from: 'broker-1', to: 'broker-3' },
    ]);
    expect(loadAfter(before, moves, ['broker-1', 'broker-2', 'broker-3'])).toEqual({ 'broker-1': 2, 'broker-2': 2, 'broker-3': 2 });
  });

  it('moves nothing when no broker owns more than ⌈P/B⌉', () => {
    const before = [...owned('a/b/x', 'b1', [0, 1]), ...owned('a/b/y', 'b2', [0, 1])];
    expect(planRebalance(before, ['b1', 'b2', 'b3'])).toEqual([]);
    expect(planRebalance([], ['b1'])).toEqual([]);
  });

  it('moves only the excess over ⌈P/B⌉, to the least-loaded brokers', () => {
    // P = 7, B = 3: cap 3. b1 has 5 (2 too many), b2 has 2, b3 none.
    const before = [...owned('a/b/x', 'b1', [0, 1, 2, 3, 4]), ...owned('a/b/y', 'b2', [0, 1])];
    const moves = planRebalance(before, ['b1', 'b2', 'b3']);
    expect(moves).toHaveLength(2);
    expect(moves.map((m) => m.to)).toEqual(['b3', 'b3']);
    expect(loadAfter(before, moves, ['b1', 'b2', 'b3'])).toEqual({ b1: 3, b2: 2, b3: 2 });
  });

  it('moves every partition of a draining or unknown broker, counting them in P', () => {
    const before = [...owned('a/b/x', 'drained', [0, 1, 2]), ...owned('a/b/x', 'b1', [3])];
    const moves = planRebalance(before, ['b1', 'b2']);
    expect(moves.map((m) => m.from)).toEqual(['drained', 'drained', 'drained']);
    expect(loadAfter(before, moves, ['b1', 'b2'])).toEqual({ b1: 2, b2: 2 });
  });

  it('is deterministic: the same plan whatever the order of its input', () => {
    const before = [...owned('a/b/x', 'b1', [0, 1, 2, 3, 4, 5, 6]), ...owned('a/b/a', 'b2', [0, 1, 2]), ...owned('z/z/z', 'b1', [0])];
    const random = new SeededRandom(7);
    const shuffled = [...before].sort(() => random.next() - 0.5);
    expect(planRebalance(shuffled, ['b3', 'b2', 'b1'])).toEqual(planRebalance(before, ['b1', 'b2', 'b3']));
  });

  it('reaches max ⌈P/B⌉ with the fewest moves on random placements', () => {
    const random = new SeededRandom(42);
    for (let run = 0; run < 200; run++) {
      const brokers = Array.from({ length: 1 + random.int(5) }, (_, i) => `b${i}`);
      const owners = [...brokers, 'gone'];
      const before = Array.from({ length: random.int(40) }, (_, i) => ({ topic: `t/t/${i % 3}`, partition: i, broker: random.pick(owners) }));
      const cap = Math.ceil(before.length / brokers.length);
      const excess = brokers.reduce((n, b) => n + Math.max(0, before.filter((o) => o.broker === b).length - cap), 0) + before.filter((o) => o.broker === 'gone').length;
      const moves = planRebalance(before, brokers);
      expect(moves).toHaveLength(excess);
      const load = loadAfter(before, moves, brokers);
      expect(load.gone ?? 0).toBe(0);
      for (const b of brokers) expect(load[b]).toBeLessThanOrEqual(cap);
    }
  });

  it('refuses when partitions must move and no broker can take them', () => {
    expect(() => planRebalance(owned('a/b/x', 'b1', [0]), [])).toThrow(NoTargetBrokerError);
  });
});

describe('drain plan', () => {
  it('moves every partition of the drained broker, each to the least-loaded other broker', () => {
    const before = [...owned('a/b/x', 'b2', [0, 1, 2, 3]), ...owned('a/b/y', 'b1', [0, 1]), ...owned('a/b/y', 'b3', [2])];
    const moves = planDrain(before, ['b1', 'b2', 'b3'], 'b2');
    expect(moves).toEqual([
      { topic: 'a/b/x', partition: 0, from: 'b2', to: 'b3' },
      { topic: 'a/b/x', partition: 1, from: 'b2', to: 'b1' },
      { topic: 'a/b/x', partition: 2, from: 'b2', to: 'b3' },
      { topic: 'a/b/x', partition: 3, from: 'b2', to: 'b1' },
    ]);
    expect(loadAfter(before, moves, ['b1', 'b2', 'b3'])).toEqual({ b1: 4, b2: 0, b3: 3 });
  });

  it('spreads 2 partitions each of 3 brokers to 3 each on the other two', () => {
    const before = [...owned('t/t/t', 'broker-1', [0, 3]), ...owned('t/t/t', 'broker-2', [1, 4]), ...owned('t/t/t', 'broker-3', [2, 5])];
    const moves = planDrain(before, ['broker-1', 'broker-3'], 'broker-2');
    expect(loadAfter(before, moves, ['broker-1', 'broker-2', 'broker-3'])).toEqual({ 'broker-1': 3, 'broker-2': 0, 'broker-3': 3 });
  });

  it('moves nothing off a broker that owns nothing, and refuses when nobody can take its partitions', () => {
    expect(planDrain(owned('a/b/x', 'b1', [0]), ['b1'], 'b2')).toEqual([]);
    expect(planDrain([], [], 'b1')).toEqual([]);
    expect(() => planDrain(owned('a/b/x', 'b1', [0]), ['b1'], 'b1')).toThrow(NoTargetBrokerError);
  });
});
