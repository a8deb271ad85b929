// The load manager with in-process brokers on the run's etcd: one leader elected through the store (and a new
// one when it stops), load reports of every broker, placement of new partitions on the least-loaded brokers,
// and shedding towards a broker that joins — gradual, and without moving anything back afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, BrokerConfig } from '../../../broker/index.js';
import { waitFor } from '../../../common/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';

const QUICK: Partial<BrokerConfig> = {
  sessionTtlMs: 2_000,
  loadReportIntervalMs: 200,
  loadSheddingIntervalMs: 400,
  loadPlan: { maxMovesPerRound: 2, overloadRounds: 2, joinRampMs: 0, cooldownMs: 60_000 },
};

describe('load manager (in-process brokers)', () => {
  let h: BrokerHarness;
  const brokers: Broker[] = [];

  beforeAll(async () => {
    h = await BrokerHarness.start(2);
  }, 60_000);
  afterAll(async () => {
    await h?.destroy();
  });

  const ownersOf = async (via: Broker, topic: string): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const o of (await call(via.httpUrl, 'GET', '/admin/v1/ownership')).body.ownership as Array<{ topic: string; broker: string }>) {
      if (o.topic === topic) counts[o.broker] = (counts[o.broker] ?? 0) + 1;
    }
    return counts;
  };

  it('elects one leader, shows every broker\'s load and places new partitions on the least-loaded brokers', { timeout: 60_000 }, async () => {
    for (const id of ['lm-1', 'lm-2', 'lm-3']) brokers.push(await h.broker({ id, ...QUICK }));
    const view = await waitFor('three load reports and a leader', async () => {
      const res = await call(brokers[2]!.httpUrl, 'GET', '/admin/v1/load');
      return res.body.brokers.length === 3 && res.body.leader ? res.body : undefined;
    });
    expect(['lm-1', 'lm-2', 'lm-3']).toContain(view.leader);
    for (const b of view.brokers) expect(b).toMatchObject({ brokerId: expect.any(String), partitions: expect.any(Number), msgRateIn: expect.any(Number), cpu: expect.any(Number), draining: false });
    const topic = 'public/default/placed';
    expect((await call(brokers[0]!.httpUrl, 'PUT', `/admin/v1/topics/${topic}`, { partitions: 9 })).status).toBe(201);
    // Every partition is asked for through lm-1; the leader spreads them.
    const res = await call(brokers[0]!.httpUrl, 'POST', `/v1/topics/${topic}/messages`, { messages: Array.from({ length: 36 }, (_, i) => ({ value: `v${i}` })) });
    expect(res.status).toBe(200);
    expect(await ownersOf(brokers[0]!, topic)).toEqual({ 'lm-1': 3, 'lm-2': 3, 'lm-3': 3 });
  });

  it('moves the leadership when the leader stops', { timeout: 60_000 }, async () => {
    const before = (await call(brokers[0]!.httpUrl, 'GET', '/admin/v1/load')).body.leader as string;
    const leader = brokers.find((b) => b.brokerId === before)!;
    await leader.stop();
    brokers.splice(brokers.indexOf(leader), 1);
    const after = await waitFor('a new leader', async () => {
      const l = (await call(brokers[0]!.httpUrl, 'GET', '/admin/v1/load')).body.leader as string | undefined;
      return l !== undefined && l !== before ? l : undefined;
    }, { timeoutMs: 20_000, intervalMs: 100 });
    expect(brokers.map((b) => b.brokerId)).toContain(after);
  });

  it('sheds load to a joining broker a few partitions a round, down to the bound, and then leaves it alone', { timeout: 90_000 }, async () => {
    for (const b of brokers.splice(0)) await b.stop();
    const first = await h.broker({ id: 'shed-1', ...QUICK });
    brokers.push(first);
    const topic = 'public/default/shed';
    expect((await call(first.httpUrl, 'PUT', `/admin/v1/topics/${topic}`, { partitions: 12 })).status).toBe(201);
    expect((await call(first.httpUrl, 'POST', `/v1/topics/${topic}/messages`, { messages: Array.from({ length: 48 }, (_, i) => ({ value: `v${i}` })) })).status).toBe(200);
    // the other topics' partitions went with their brokers; only this topic is owned now
    await waitFor('shed-1 owns the 12', async () => (await ownersOf(first, topic))['shed-1'] === 12);
    const second = await h.broker({ id: 'shed-2', ...QUICK });
    brokers.push(second);
    // 12 vs 0: overloaded; moves come two a round until shed-1 is within 1.1 × the mean (6.6): 6/6
    const counts: Array<Record<string, number>> = [];
    await waitFor('balanced', async () => {
      const c = await ownersOf(first, topic);
      counts.push(c);
      return c['shed-1'] === 6 && c['shed-2'] === 6;
    }, { timeoutMs: 60_000, intervalMs: 100 });
    // gradual: there were intermediate states (never more than two moves at once)
    const seen = [...new Set(counts.map((c) => c['shed-2'] ?? 0))].sort((x, y) => x - y);
    expect(seen.length).toBeGreaterThan(2);
    // stable: several more rounds, nothing moves
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await ownersOf(first, topic)).toEqual({ 'shed-1': 6, 'shed-2': 6 });
  });
});
