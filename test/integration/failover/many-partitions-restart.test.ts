// A broker owning 1,000 partitions restarts: loads are lazy and throttled; print the time until every
// partition is served again and the metadata operations one partition load costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../broker/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';

const PARTITIONS = Number(process.env.STRATA_MANY_PARTITIONS ?? 1000);

async function loadStats(broker: Broker): Promise<{ count: number; sum: number }> {
  const text = (await broker.metrics()).body;
  const count = Number(/strata_broker_partition_load_metadata_operations_count (\d+)/.exec(text)?.[1] ?? 0);
  const sum = Number(/strata_broker_partition_load_metadata_operations_sum (\d+)/.exec(text)?.[1] ?? 0);
  return { count, sum };
}

/** One message to every partition (keys chosen per partition), through the admin-free produce route. */
async function touchAll(url: string): Promise<number> {
  const messages = Array.from({ length: PARTITIONS }, (_, i) => ({ value: `p${i}` }));
  // Messages without keys are spread round-robin: one request with PARTITIONS messages reaches every partition.
  const res = await call(url, 'POST', '/v1/topics/public/default/many/messages', { messages });
  const failed = res.status === 207 ? res.body.results.filter((r: { error?: unknown }) => r.error !== undefined) : [];
  expect(res.status, `${failed.length} failed, e.g. ${JSON.stringify(failed.slice(0, 3))}`).toBe(200);
  return new Set(res.body.results.map((r: { partition: number }) => r.partition)).size;
}

// The production default session TTL: this process (test and in-process broker) loads 1,000
// partitions in a burst, and the harness's 2 s TTL leaves little margin for its event loop when CI
// runs two workers on 2 cores.
const broker = { managedLedger: { ensembleSize: 1, writeQuorum: 1, ackQuorum: 1 }, sessionTtlMs: 6000 };

describe(`restart of a broker owning ${PARTITIONS} partitions`, () => {
  let h: BrokerHarness;
  beforeAll(async () => {
    h = await BrokerHarness.start(1);
  });
  afterAll(() => h?.destroy());

  it('serves every partition again after a restart, and reports the cost of a load', { timeout: 600_000 }, async () => {
    const first = await h.broker(broker);
    await call(first.httpUrl, 'PUT', '/admin/v1/topics/public/default/many', { partitions: PARTITIONS });
    const t0 = Date.now();
    expect(await touchAll(first.httpUrl)).toBe(PARTITIONS);
    const firstLoadMs = Date.now() - t0;
    await first.stop();

    const second = await h.broker(broker);
    const t1 = Date.now();
    expect(await touchAll(second.httpUrl)).toBe(PARTITIONS);
    const restartMs = Date.now() - t1;
    const { count, sum } = await loadStats(second);
    expect(count).toBe(PARTITIONS);
    const perLoad = sum / count;
    expect(perLoad).toBeLessThan(40);
    console.log(`${PARTITIONS} partitions: first load of all ${firstLoadMs} ms; after a restart every partition served again within ${restartMs} ms; ${perLoad.toFixed(1)} metadata operations per partition load on the partition's own keys (ownership, ledger list, dedup, cursors; not counted: the ledger client's own operations to create or recover ledgers) (${sum} for ${count} loads, 16 loads at a time)`);
  });
});
