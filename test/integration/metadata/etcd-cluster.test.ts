// A 3-member etcd cluster on loopback: the store keeps working when a member is killed, and the
// member rejoins after a restart.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdMetadataStore } from '../../../metadata/etcd/index.js';
import { waitFor } from '../../../common/index.js';
import { EtcdCluster } from '../../helpers/etcd-server.js';

describe('3-member etcd cluster', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await EtcdCluster.start({ size: 3 });
  });
  afterAll(async () => {
    await etcd?.destroy();
  });

  it('serves compare-and-set writes through the loss and restart of one member', async () => {
    const store = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace: `/t-${randomBytes(6).toString('hex')}`, requestTimeoutMs: 3000 });
    let version = await store.put('/c', Buffer.from('0'));
    await etcd.kill(0);
    // The first calls may hit the dead member; the client moves on to a live one.
    for (let i = 1; i <= 20; i++) {
      version = await waitFor(`CAS ${i}`, () => store.put('/c', Buffer.from(String(i)), { expectedVersion: version }).catch(async (err: unknown) => {
        const now = await store.get('/c');
        if (now?.value.toString() === String(i)) return now.version; // applied before the error: keep going
        throw err;
      }), { timeoutMs: 15_000, intervalMs: 100 });
    }
    await etcd.restart(0);
    const direct = new EtcdMetadataStore({ endpoints: [etcd.member(0).clientUrl], namespace: '/probe' });
    await waitFor('restarted member serves', async () => (await direct.list('')).revision > 0, { timeoutMs: 15_000 });
    await direct.close();
    expect((await store.get('/c'))?.value.toString()).toBe('20');
    await store.close();
  });
});
