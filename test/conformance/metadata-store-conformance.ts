// One conformance suite for every MetadataStore backend: the semantics the rest of Strata relies on.
import { afterEach, describe, expect, it } from 'vitest';
import {
  BadVersionError, InvalidKeyError, InvalidValueError, KeyExistsError, SessionExpiredError,
  type Entry, type MetadataStore, type Session, type Watch, type WatchEvent,
} from '../../metadata/index.js';

export interface MetadataStoreHarness {
  /** A store on a fresh, empty namespace or directory. */
  open(): Promise<MetadataStore>;
  /** Ends `session` from outside its holder, as an operator or the store's expiry would. */
  revokeSession(store: MetadataStore, session: Session): Promise<void>;
}

const b = (s: string) => Buffer.from(s);

/** Reads `n` events from a watch, failing after `timeoutMs`. */
export async function take(watch: Watch, n: number, timeoutMs = 10_000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const it = watch[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out with ${out.length}/${n} events: ${JSON.stringify(out.map(describeEvent))}`);
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      it.next(),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), left))),
    ]);
    clearTimeout(timer);
    if (next === 'timeout') continue;
    if (next.done) throw new Error('watch ended early');
    out.push(next.value);
  }
  return out;
}

export function describeEvent(e: WatchEvent): string {
  if (e.type === 'reset') return `reset@${e.revision}[${e.entries.map((x) => x.key).join(',')}]`;
  return `${e.type} ${e.key}@${e.version}`;
}

export function describeMetadataStoreConformance(name: string, harness: MetadataStoreHarness): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    const opened: MetadataStore[] = [];
    const open = async () => {
      const s = await harness.open();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('get, put, delete and list with store-wide growing versions', async () => {
      const s = await open();
      expect(await s.get('/a')).toBeUndefined();
      const v1 = await s.put('/a', b('1'));
      const v2 = await s.put('/b/x', b('2'));
      const v3 = await s.put('/a', b('3'));
      expect(v2).toBeGreaterThan(v1);
      expect(v3).toBeGreaterThan(v2);
      const a = (await s.get('/a')) as Entry;
      expect(a.value.toString()).toBe('3');
      expect(a.version).toBe(v3);
      expect(a.createRevision).toBe(v1);
      await s.put('/b/w', b('0'));
      await s.put('/c', b('c'));
      const listed = await s.list('/b/');
      expect(listed.entries.map((e) => e.key)).toEqual(['/b/w', '/b/x']);
      expect(listed.revision).toBeGreaterThanOrEqual(v3);
      expect(await s.delete('/a')).toBe(true);
      expect(await s.delete('/a')).toBe(false);
      expect(await s.get('/a')).toBeUndefined();
      expect((await s.list('')).entries.map((e) => e.key)).toEqual(['/b/w', '/b/x', '/c']);
    });

    it('concurrent compare-and-set writers: exactly one wins per version', async () => {
      const s = await open();
      let version = await s.put('/cas', b('0'));
      for (let round = 0; round < 5; round++) {
        const writers = Array.from({ length: 16 }, (_, i) => s.put('/cas', b(`r${round}w${i}`), { expectedVersion: version }));
        const results = await Promise.allSettled(writers);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BadVersionError);
        const winner = results.findIndex((r) => r.status === 'fulfilled');
        const now = (await s.get('/cas')) as Entry;
        expect(now.value.toString()).toBe(`r${round}w${winner}`);
        expect(now.version).toBe((won[0] as PromiseFulfilledResult<number>).value);
        version = now.version;
      }
    });

    it('create-if-absent: exactly one of many concurrent creators wins', async () => {
      const s = await open();
      const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => s.put('/owner', b(`c${i}`), { expectedVersion: 'absent' })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(KeyExistsError);
    });

    it('ABA: after delete and recreate, the old version no longer matches', async () => {
      const s = await open();
      const v1 = await s.put('/aba', b('same'));
      await s.delete('/aba');
      const v2 = await s.put('/aba', b('same'));
      expect(v2).toBeGreaterThan(v1);
      await expect(s.put('/aba', b('x'), { expectedVersion: v1 })).rejects.toBeInstanceOf(BadVersionError);
      await expect(s.delete('/aba', { expectedVersion: v1 })).rejects.toBeInstanceOf(BadVersionError);
      await expect(s.txn({ compares: [{ key: '/aba', createRevision: v1 }], ops: [{ type: 'delete', key: '/aba' }] })).rejects.toBeInstanceOf(BadVersionError);
      expect(((await s.get('/aba')) as Entry).value.toString()).toBe('same');
      await s.put('/aba', b('y'), { expectedVersion: v2 });
      await expect(s.put('/gone', b('x'), { expectedVersion: v2 })).rejects.toBeInstanceOf(BadVersionError);
    });

    it('transactions are all-or-nothing', async () => {
      const s = await open();
      const va = await s.put('/t/a', b('a0'));
      const vb = await s.put('/t/b', b('b0'));
      await s.put('/t/c', b('c0'));
      // One compare fails: nothing of the transaction is applied.
      await expect(
        s.txn({
          compares: [{ key: '/t/a', version: va }, { key: '/t/b', version: vb + 1000 }],
          ops: [{ type: 'put', key: '/t/a', value: b('a1') }, { type: 'delete', key: '/t/c' }, { type: 'put', key: '/t/new', value: b('n') }],
        }),
      ).rejects.toBeInstanceOf(BadVersionError);
      expect(((await s.get('/t/a')) as Entry).value.toString()).toBe('a0');
      expect(await s.get('/t/c')).toBeDefined();
      expect(await s.get('/t/new')).toBeUndefined();
      // All compares hold: every op is applied at one revision.
      const rev = await s.txn({
        compares: [{ key: '/t/a', version: va }, { key: '/t/b', version: vb }, { key: '/t/new', version: 'absent' }],
        ops: [{ type: 'put', key: '/t/a', value: b('a1') }, { type: 'delete', key: '/t/c' }, { type: 'put', key: '/t/new', value: b('n') }],
      });
      const a = (await s.get('/t/a')) as Entry;
      const n = (await s.get('/t/new')) as Entry;
      expect(a.version).toBe(rev);
      expect(n.version).toBe(rev);
      expect(await s.get('/t/c')).toBeUndefined();
    });

    it('owner epoch: a transaction checked against a key creation revision fails once the key was recreated', async () => {
      const s = await open();
      const session = await s.createSession({ ttlMs: 6000 });
      const epoch = await s.put('/own/p0', b('broker-1'), { expectedVersion: 'absent', session });
      const ok = await s.txn({ compares: [{ key: '/own/p0', createRevision: epoch }], ops: [{ type: 'put', key: '/ml/p0', value: b('L1') }] });
      expect(ok).toBeGreaterThan(epoch);
      // Updating the owner key keeps its creation revision: the epoch still holds.
      await s.put('/own/p0', b('broker-1'));
      await s.txn({ compares: [{ key: '/own/p0', createRevision: epoch }], ops: [{ type: 'put', key: '/ml/p0', value: b('L2') }] });
      // Ownership lost and taken again (same value): the old epoch no longer matches.
      await s.delete('/own/p0');
      await s.put('/own/p0', b('broker-1'), { expectedVersion: 'absent' });
      await expect(
        s.txn({ compares: [{ key: '/own/p0', createRevision: epoch }], ops: [{ type: 'put', key: '/ml/p0', value: b('L3') }] }),
      ).rejects.toBeInstanceOf(BadVersionError);
      expect(((await s.get('/ml/p0')) as Entry).value.toString()).toBe('L2');
      await session.close();
    });

    it('the counter hands out each value once under concurrency', async () => {
      const s = await open();
      const values = await Promise.all(Array.from({ length: 30 }, () => s.increment('/counter')));
      expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(await s.increment('/counter')).toBe(31);
    });

    it('watch delivers every change under its prefix in revision order, and replays from a revision', async () => {
      const s = await open();
      const before = await s.put('/w/seed', b('s'));
      const { revision } = await s.list('/w/');
      const watch = s.watch('/w/', { fromRevision: revision + 1 });
      const writes: Promise<number>[] = [];
      for (let i = 0; i < 40; i++) writes.push(s.put(`/w/k${i % 7}`, b(String(i))));
      await Promise.all(writes);
      await s.put('/other/x', b('not watched'));
      await s.delete('/w/k3');
      const events = await take(watch, 41);
      const versions = events.map((e) => (e.type === 'reset' ? e.revision : e.version));
      for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
      expect(events.every((e) => e.type !== 'reset' && e.key.startsWith('/w/'))).toBe(true);
      expect(events[40]).toMatchObject({ type: 'delete', key: '/w/k3' });
      await watch.close();
      // Replay from an older revision reproduces the same sequence.
      const replay = s.watch('/w/', { fromRevision: before });
      const replayed = await take(replay, 1 + 41);
      expect(replayed[0]).toMatchObject({ type: 'put', key: '/w/seed', version: before });
      expect(replayed.slice(-41).map(describeEvent)).toEqual(events.map(describeEvent));
      await replay.close();
    });

    it('a watch resuming before a compaction starts with a reset listing the current state', async () => {
      const s = await open();
      const from = await s.put('/c/a', b('1'));
      await s.put('/c/b', b('2'));
      await s.delete('/c/a');
      const last = await s.put('/c/d', b('4'));
      await s.compact(last);
      const watch = s.watch('/c/', { fromRevision: from });
      const [first] = await take(watch, 1);
      expect(first!.type).toBe('reset');
      const reset = first as Extract<WatchEvent, { type: 'reset' }>;
      expect(reset.entries.map((e) => `${e.key}=${e.value.toString()}`)).toEqual(['/c/b=2', '/c/d=4']);
      expect(reset.revision).toBeGreaterThanOrEqual(last);
      // And it goes on with the changes after the listing.
      await s.put('/c/e', b('5'));
      const [next] = await take(watch, 1);
      expect(next).toMatchObject({ type: 'put', key: '/c/e' });
      await watch.close();
    });

    it('keys bound to a session vanish when it is closed, and a closed session binds nothing', async () => {
      const s = await open();
      const session = await s.createSession({ ttlMs: 4000 });
      expect(session.state).toBe('alive');
      await s.put('/sess/bound', b('x'), { session });
      await s.txn({ compares: [], ops: [{ type: 'put', key: '/sess/bound2', value: b('y'), session }] });
      await s.put('/sess/durable', b('z'));
      await session.close();
      expect(session.state).toBe('closed');
      expect(session.signal.aborted).toBe(true);
      expect(await s.get('/sess/bound')).toBeUndefined();
      expect(await s.get('/sess/bound2')).toBeUndefined();
      expect(await s.get('/sess/durable')).toBeDefined();
      await expect(s.put('/sess/late', b('x'), { session })).rejects.toBeInstanceOf(SessionExpiredError);
      expect(await s.get('/sess/late')).toBeUndefined();
    });

    it('the holder is told promptly when its session is ended from outside', async () => {
      const s = await open();
      const session = await s.createSession({ ttlMs: 3000 });
      await s.put('/lost/key', b('x'), { session });
      const expired = new Promise<Error>((resolve) => session.once('expired', resolve));
      const started = Date.now();
      await harness.revokeSession(s, session);
      const err = await Promise.race([expired, new Promise<'late'>((r) => setTimeout(() => r('late'), 5000))]);
      expect(err).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(session.state).toBe('expired');
      expect(await s.get('/lost/key')).toBeUndefined();
    });

    it('refuses bad keys and values with typed errors and writes nothing', async () => {
      const s = await open();
      const before = await s.list('');
      await expect(s.put('', b('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(s.put('no-slash', b('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(s.put('/has space', b('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(s.put('/' + 'k'.repeat(2000), b('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(s.put('/big', Buffer.alloc(2 * 1024 * 1024))).rejects.toBeInstanceOf(InvalidValueError);
      await expect(s.put('/str', 'text' as unknown as Buffer)).rejects.toBeInstanceOf(InvalidValueError);
      await expect(s.put('/neg', b('x'), { expectedVersion: -1 })).rejects.toBeInstanceOf(InvalidValueError);
      await expect(s.txn({ compares: [], ops: [{ type: 'put', key: '/ok', value: b('1') }, { type: 'put', key: 'bad', value: b('2') }] })).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(s.get('bad key')).rejects.toBeInstanceOf(InvalidKeyError);
      const after = await s.list('');
      expect(after.entries).toEqual(before.entries);
    });
  });
}
