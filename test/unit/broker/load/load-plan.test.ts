// The load manager's decisions: placement on the least-loaded broker (deterministic ties, draining brokers
// skipped, a joining broker ramped), and shedding with hysteresis (only after consecutive overloaded rounds,
// down to the settle bound, at most N moves a round, moved partitions cooled down, never flapping back).
import { describe, expect, it } from 'vitest';
import { choosePlacement, DEFAULT_LOAD_PLAN_OPTIONS, planShedding, relativeLoads, type Candidate, type SheddingState } from '../../../../broker/load/index.js';
import type { LoadReport } from '../../../../broker/load/index.js';

const NOW = 1_000_000;
const OLD = NOW - 10 * 60_000;

function report(id: string, partitions: number, rate = 0, startedAt = OLD): LoadReport {
  return { brokerId: id, partitions, msgRateIn: rate, msgRateOut: 0, bytesRateIn: 0, cpu: 0, startedAt, at: NOW };
}

function broker(id: string, partitions: number, extra: Partial<Candidate> & { rate?: number; startedAt?: number } = {}): Candidate {
  return { id, draining: extra.draining ?? false, report: report(id, partitions, extra.rate, extra.startedAt) };
}

function owned(spec: Record<string, number>): Array<{ topic: string; partition: number; broker: string }> {
  const out: Array<{ topic: string; partition: number; broker: string }> = [];
  let n = 0;
  for (const [b, count] of Object.entries(spec)) for (let i = 0; i < count; i++) out.push({ topic: 't/n/x', partition: n++, broker: b });
  return out;
}

const fresh = (): SheddingState => ({ overloadedRounds: new Map(), movedAt: new Map() });

describe('placement', () => {
  it('goes to the broker with the fewest partitions, ties to the lowest id, never to a draining broker', () => {
    expect(choosePlacement([broker('b', 3), broker('a', 3), broker('c', 5)], new Map(), NOW)).toBe('a');
    expect(choosePlacement([broker('a', 1, { draining: true }), broker('b', 4)], new Map(), NOW)).toBe('b');
    expect(choosePlacement([broker('a', 1, { draining: true })], new Map(), NOW)).toBeUndefined();
  });

  it('counts what it placed this round, so a burst of placements spreads out', () => {
    const brokers = [broker('a', 0), broker('b', 0), broker('c', 0)];
    const placed = new Map<string, number>();
    const chosen: string[] = [];
    for (let i = 0; i < 9; i++) {
      const id = choosePlacement(brokers, placed, NOW)!;
      placed.set(id, (placed.get(id) ?? 0) + 1);
      chosen.push(id);
    }
    expect([...placed.values()]).toEqual([3, 3, 3]);
  });

  it('counts the placements the reports do not show yet, also after the round started over', () => {
    const brokers = [broker('a', 0), broker('b', 0), broker('c', 0)];
    // A new round: nothing placed in it, but a and b got two each that their reports do not count yet.
    expect(choosePlacement(brokers, new Map(), NOW, DEFAULT_LOAD_PLAN_OPTIONS, new Map([['a', 2], ['b', 2]]))).toBe('c');
    expect(choosePlacement(brokers, new Map(), NOW)).toBe('a'); // without them the burst would pile onto a
  });

  it('weighs traffic once the cluster carries some: a busy broker with few partitions is not the least loaded', () => {
    expect(choosePlacement([broker('a', 2, { rate: 50_000 }), broker('b', 4, { rate: 1_000 })], new Map(), NOW)).toBe('b');
    expect(relativeLoads([broker('a', 2, { rate: 10 }), broker('b', 4, { rate: 10 })]).get('a')).toBeCloseTo(2 / 3);
  });

  it('gives a joining broker at most the ramp per round while others can take partitions', () => {
    const brokers = [broker('a', 30), broker('b', 30), broker('new', 0, { startedAt: NOW - 1_000 })];
    const placed = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const id = choosePlacement(brokers, placed, NOW)!;
      placed.set(id, (placed.get(id) ?? 0) + 1);
    }
    expect(placed.get('new')).toBe(DEFAULT_LOAD_PLAN_OPTIONS.joinRampPerRound);
    expect((placed.get('a') ?? 0) + (placed.get('b') ?? 0)).toBe(20 - DEFAULT_LOAD_PLAN_OPTIONS.joinRampPerRound);
  });
});

describe('shedding', () => {
  it('moves nothing in the first overloaded round, then sheds down to the settle bound, at most N a round', () => {
    const brokers = [broker('a', 20), broker('b', 2), broker('c', 2)];
    const parts = owned({ a: 20, b: 2, c: 2 });
    const state = fresh();
    expect(planShedding(brokers, parts, state, NOW)).toEqual([]);
    const moves = planShedding(brokers, parts, state, NOW + 1);
    expect(moves).toHaveLength(DEFAULT_LOAD_PLAN_OPTIONS.maxMovesPerRound);
    expect(moves.every((m) => m.from === 'a')).toBe(true);
    expect(moves.map((m) => m.to)).toEqual(['b', 'c', 'b', 'c']);
    // the first partitions in order moved, each now cooling down
    expect(moves.map((m) => m.partition)).toEqual([0, 1, 2, 3]);
  });

  it('does not shed a broker that is overloaded for one round only (hysteresis)', () => {
    const state = fresh();
    expect(planShedding([broker('a', 20), broker('b', 2)], owned({ a: 20, b: 2 }), state, NOW)).toEqual([]);
    expect(planShedding([broker('a', 11), broker('b', 11)], owned({ a: 11, b: 11 }), state, NOW + 1)).toEqual([]);
    expect(planShedding([broker('a', 20), broker('b', 2)], owned({ a: 20, b: 2 }), state, NOW + 2)).toEqual([]);
  });

  it('leaves a cluster within the overload bound alone, and does not move partitions back and forth', () => {
    const state = fresh();
    // 12 vs 10 vs 8: a is 1.2 × the mean, below 1.3
    for (let round = 0; round < 5; round++) expect(planShedding([broker('a', 12), broker('b', 10), broker('c', 8)], owned({ a: 12, b: 10, c: 8 }), state, NOW + round)).toEqual([]);
    // a shed to b; next rounds, with the new counts, nothing moves back
    const s2 = fresh();
    planShedding([broker('a', 10), broker('b', 2)], owned({ a: 10, b: 2 }), s2, NOW);
    const moved = planShedding([broker('a', 10), broker('b', 2)], owned({ a: 10, b: 2 }), s2, NOW + 1);
    expect(moved.length).toBeGreaterThan(0);
    const after = owned({ a: 10 - moved.length, b: 2 + moved.length });
    for (let round = 2; round < 6; round++) {
      expect(planShedding([broker('a', 10 - moved.length), broker('b', 2 + moved.length)], after, s2, NOW + round).filter((m) => m.from === 'b')).toEqual([]);
    }
  });

  it('does not move a partition again within its cooldown', () => {
    const state = fresh();
    const parts = [{ topic: 't/n/x', partition: 0, broker: 'a' }, { topic: 't/n/x', partition: 1, broker: 'a' }, { topic: 't/n/x', partition: 2, broker: 'a' }, { topic: 't/n/x', partition: 3, broker: 'a' }];
    state.movedAt.set('t/n/x/0', NOW - 1_000);
    state.movedAt.set('t/n/x/1', NOW - 1_000);
    state.overloadedRounds.set('a', 5);
    const moves = planShedding([broker('a', 4), broker('b', 0)], parts, state, NOW);
    expect(moves.map((m) => m.partition)).toEqual([2, 3]);
  });

  it('ignores draining brokers and brokers without a report', () => {
    const state = fresh();
    state.overloadedRounds.set('a', 5);
    const moves = planShedding([broker('a', 20), broker('d', 0, { draining: true }), { id: 'x', draining: false, report: undefined }], owned({ a: 20 }), state, NOW);
    expect(moves).toEqual([]);
  });
});
