// The etcd backend with real processes: a session holder killed with kill -9, and etcd itself
// killed, restarted and paused under a watching, writing client. Each test starts its own etcd.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type WatchEvent } from '../../../metadata/index.js';
import { EtcdMetadataStore } from '../../../metadata/etcd/index.js';
import { waitFor } from '../../../common/index.js';
import { EtcdCluster } from '../../helpers/etcd-server.js';
import { spawnTs } from '../../helpers/node-child.js';
import { describeEvent, take } from '../../conformance/metadata-store-conformance.js';

const ns = () => `/t-${randomBytes(6).toString('hex')}`;

describe('etcd sessions and outages', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await EtcdCluster.start();
  });
  afterAll(async () => {
    await etcd?.destroy();
  });

  it('keys of a session whose holder is killed with kill -9 vanish within TTL plus a bound', async () => {
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      const namespace = ns();
      const store = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace });
      const child = spawnTs('test/helpers/metadata-child.ts', [JSON.stringify({ backend: 'etcd', endpoints: etcd.endpoints, namespace, mode: 'hold-session', ttlMs: 2000 })]);
      await child.waitForLine(/^ready /);
      expect(await store.get('/held/bound')).toBeDefined();
      const killedAt = Date.now();
      await child.kill('SIGKILL');
      await waitFor('session key to vanish', async () => (await store.get('/held/bound')) === undefined, { timeoutMs: 2000 + 8000, intervalMs: 25 });
      delays.push(Date.now() - killedAt);
      expect(await store.get('/held/durable')).toBeDefined();
      await store.close();
    }
    delays.sort((a, b) => a - b);
    console.log(`etcd session expiry after kill -9 (TTL 2000 ms): ${delays.join(', ')} ms; median ${delays[1]} ms`);
    for (const d of delays) expect(d).toBeLessThan(2000 + 8000);
  });

  it('a watch misses no event across an etcd kill -9 and restart', async () => {
    const namespace = ns();
    const writer = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace, requestTimeoutMs: 2000 });
    const watcher = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace });
    const { revision } = await watcher.list('/x/');
    const watch = watcher.watch('/x/', { fromRevision: revision + 1 });
    const written: number[] = [];
    for (let i = 0; i < 50; i++) written.push(await writer.put(`/x/${i % 5}`, Buffer.from(String(i))));
    const early = await take(watch, 10);
    await etcd.kill(0);
    await expect(writer.put('/x/during', Buffer.from('down'))).rejects.toBeInstanceOf(StoreUnavailableError);
    await etcd.restart(0);
    await waitFor('writer reconnects', async () => writer.put('/x/0', Buffer.from('after')).then((v) => written.push(v)).then(() => true), { timeoutMs: 20_000, intervalMs: 200 });
    for (let i = 0; i < 30; i++) written.push(await writer.put(`/x/${i % 3}`, Buffer.from(`b${i}`)));
    const rest = await take(watch, written.length - 10, 30_000);
    const events: WatchEvent[] = [...early, ...rest];
    expect(events.map((e) => (e.type === 'reset' ? -1 : e.version))).toEqual(written);
    expect(events.map(describeEvent).every((d) => d.startsWith('put /x/'))).toBe(true);
    await watch.close();
    await writer.close();
    await watcher.close();
  });

  it('a paused etcd suspends the session within its TTL and the session resumes if etcd returns in time', async () => {
    const store = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace: ns(), requestTimeoutMs: 1000 });
    const session = await store.createSession({ ttlMs: 3000 });
    await store.put('/p/bound', Buffer.from('x'), { session });
    const suspended = new Promise<number>((resolve) => session.once('suspended', () => resolve(Date.now())));
    const pausedAt = Date.now();
    etcd.pause(0);
    try {
      const at = await Promise.race([suspended, new Promise<number>((r) => setTimeout(() => r(-1), 6000))]);
      expect(at).toBeGreaterThan(0);
      expect(at - pausedAt).toBeLessThanOrEqual(3000 + 500);
      expect(session.state).toBe('suspended');
      await expect(store.get('/p/bound')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      etcd.resume(0);
    }
    // etcd's lessor does not expire leases while it is stopped; after it resumes, the keep-alive
    // is either confirmed (session resumes) or the lease is gone (session expires). Both are told.
    const outcome = await Promise.race([
      new Promise<string>((r) => session.once('resumed', () => r('resumed'))),
      new Promise<string>((r) => session.once('expired', () => r('expired'))),
      new Promise<string>((r) => setTimeout(() => r('silent'), 15_000)),
    ]);
    expect(['resumed', 'expired']).toContain(outcome);
    if (outcome === 'resumed') expect((await store.get('/p/bound'))?.value.toString()).toBe('x');
    else expect(await store.get('/p/bound')).toBeUndefined();
    await store.close();
  });

  it('calls that time out against a slow etcd do not stop the next call once it answers again', async () => {
    // A paused etcd stands in for one too loaded to answer within the deadline (deadline exceeded,
    // not unreachable): the client must not shut itself off from an etcd that answers again.
    const store = new EtcdMetadataStore({ endpoints: etcd.endpoints, namespace: ns(), requestTimeoutMs: 300 });
    await store.put('/slow/k', Buffer.from('v'));
    etcd.pause(0);
    try {
      const failures = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.get(`/slow/${i}`)));
      expect(failures.every((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailableError)).toBe(true);
      for (let i = 0; i < 3; i++) await expect(store.get('/slow/k')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      etcd.resume(0);
    }
    expect((await store.get('/slow/k'))?.value.toString()).toBe('v');
    await store.close();
  });
});
