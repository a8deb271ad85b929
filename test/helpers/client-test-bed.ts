// One in-process broker (on real bookie processes and the run's etcd) and a binary client connected to it, for a
// test file: registers its own beforeAll/afterAll; topics are created per test, named `{prefix}{n}`.
import { afterAll, beforeAll, expect } from 'vitest';
import type { Broker } from '../../broker/index.js';
import { connect, type StrataClient } from '../../client/index.js';
import { BrokerHarness, call } from './broker-harness.js';

export interface ClientTestBed {
  readonly broker: Broker;
  readonly client: StrataClient;
  /** Creates public/default/{prefix}{n} with `partitions` partitions; returns its full name. */
  newTopic(partitions?: number): Promise<string>;
}

export function useClientTestBed(prefix: string): ClientTestBed {
  let harness: BrokerHarness | undefined;
  let broker: Broker | undefined;
  let client: StrataClient | undefined;
  let topicCount = 0;
  beforeAll(async () => {
    harness = await BrokerHarness.start(1);
    broker = await harness.broker({ binaryPort: 0 });
    client = await connect(broker.binaryUrl, { operationTimeoutMs: 20_000 });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await harness?.destroy();
  });
  return {
    get broker() {
      return broker!;
    },
    get client() {
      return client!;
    },
    async newTopic(partitions = 1) {
      const name = `${prefix}${++topicCount}`;
      const res = await call(broker!.httpUrl, 'PUT', `/admin/v1/topics/public/default/${name}`, { partitions });
      expect(res.status).toBe(201);
      return `public/default/${name}`;
    },
  };
}
