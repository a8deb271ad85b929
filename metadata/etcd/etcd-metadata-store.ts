// MetadataStore on etcd (package etcd3). Keys live under a namespace prefix so that several clusters
// (or test runs) can share one etcd. Versions are mod_revisions; sessions are leases.
import { Etcd3, type ICompare, type IKeyValue, type IRequestOp } from 'etcd3';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, retry, ExponentialBackoff } from 'cockatiel';
import { GRPCUnavailableError, isRecoverableError } from 'etcd3';
import type {
  Compare, DeleteOptions, Entry, ListResult, MetadataStore, PutOptions, Revision, Session, SessionOptions, Txn, Watch, WatchOptions,
} from '../metadata-store.js';
import { BadVersionError, KeyExistsError, StoreClosedError, StoreUnavailableError } from '../errors.js';
import { Backoff, delay } from '../../common/index.js';
import { checkKey, checkPrefix, checkRevision, checkValue } from '../validation.js';
import { EtcdSession } from './etcd-session.js';
import { EtcdWatch } from './etcd-watch.js';
import { translateEtcdError } from './etcd-errors.js';

export interface EtcdMetadataStoreOptions {
  endpoints: string[];
  /** Prefix of every key in etcd, e.g. `/strata/cluster-a`. Must start with '/' and not end with it. */
  namespace?: string;
  /** Deadline of one unary request (streams have none). Default 5000. */
  requestTimeoutMs?: number;
}

/** The end of the key range of every key starting with `prefix` (etcd's prefix range_end). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export class EtcdMetadataStore implements MetadataStore {
  private readonly client: Etcd3;
  private readonly namespace: string;
  private readonly watches = new Set<EtcdWatch>();
  private readonly sessions = new Set<EtcdSession>();
  private closed = false;
  private readonly requestTimeoutMs: number;

  constructor(options: EtcdMetadataStoreOptions) {
    this.namespace = options.namespace ?? '/strata';
    if (this.namespace !== '') checkKey(this.namespace);
    const timeout = options.requestTimeoutMs ?? 5000;
    this.requestTimeoutMs = timeout;
    this.client = new Etcd3({
      hosts: options.endpoints,
      dialTimeout: timeout,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: {
        // A host's circuit opens only when it cannot be reached. Slow answers (deadline exceeded under a
        // burst of calls or a loaded machine) must not open it: with one endpoint an open circuit fails
        // every call for a while, session keep-alives included, and turns slowness into a lost session.
        host: () => circuitBreaker(handleWhen((err) => err instanceof GRPCUnavailableError), { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(3) }),
        // Retries the errors the etcd3 package calls recoverable (unreachable, deadline exceeded, …); a
        // retried CAS that did apply the first time fails its compare, which callers already handle by
        // re-reading.
        global: retry(handleWhen(isRecoverableError), { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) }),
      },
    });
  }

  private physical(key: string): Buffer {
    return Buffer.from(this.namespace + key);
  }

  private logical = (key: Buffer): string => key.toString().slice(this.namespace.length);

  private toEntry(kv: IKeyValue): Entry {
    return { key: this.logical(kv.key), value: kv.value, version: Number(kv.mod_revision), createRevision: Number(kv.create_revision) };
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private async call<T>(what: string, fn: () => Promise<T>, sessionId?: string): Promise<T> {
    this.assertOpen();
    try {
      return await fn();
    } catch (err) {
      throw translateEtcdError(err, what, sessionId);
    }
  }

  /** Reads are idempotent: retried with backoff while the store is unavailable, up to the request timeout. */
  private async read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.requestTimeoutMs;
    const backoff = new Backoff({ initialMs: 50, maxMs: 500 });
    for (;;) {
      try {
        return await this.call(what, fn);
      } catch (err) {
        const wait = backoff.next();
        if (!(err instanceof StoreUnavailableError) || Date.now() + wait >= deadline) throw err;
        await delay(wait);
      }
    }
  }

  async get(key: string): Promise<Entry | undefined> {
    checkKey(key);
    const res = await this.read('get', () => this.client.kv.range({ key: this.physical(key) }));
    const kv = res.kvs[0];
    return kv ? this.toEntry(kv) : undefined;
  }

  async list(prefix: string): Promise<ListResult> {
    checkPrefix(prefix);
    const start = this.physical(prefix);
    const res = await this.read('list', () => this.client.kv.range({ key: start, range_end: prefixEnd(start) }));
    return { entries: res.kvs.map((kv) => this.toEntry(kv)), revision: Number(res.header.revision) };
  }

  private leaseOf(session: Session | undefined): string | undefined {
    if (!session) return undefined;
    if (!(session instanceof EtcdSession)) throw new TypeError('session belongs to another kind of store');
    session.assertUsable();
    if (!this.sessions.has(session)) throw new TypeError('session belongs to another store');
    return session.id;
  }

  private compareOf(c: Compare): ICompare {
    checkKey(c.key);
    const key = this.physical(c.key);
    if ('createRevision' in c) {
      checkRevision('createRevision', c.createRevision);
      return { key, target: 'Create', result: 'Equal', create_revision: c.createRevision };
    }
    if (c.version === 'absent') return { key, target: 'Create', result: 'Equal', create_revision: 0 };
    checkRevision('version', c.version);
    return { key, target: 'Mod', result: 'Equal', mod_revision: c.version };
  }

  async put(key: string, value: Buffer, options: PutOptions = {}): Promise<Revision> {
    checkKey(key);
    checkValue(value);
    const lease = this.leaseOf(options.session);
    const request = { key: this.physical(key), value, lease };
    const expected = options.expectedVersion;
    if (expected === undefined) {
      const res = await this.call('put', () => this.client.kv.put(request), lease);
      return Number(res.header.revision);
    }
    const compare = this.compareOf({ key, version: expected });
    const res = await this.call('put', () => this.client.kv.txn({ compare: [compare], success: [{ request_put: request }], failure: [] }), lease);
    if (!res.succeeded) throw expected === 'absent' ? new KeyExistsError(key) : new BadVersionError(key);
    return Number(res.header.revision);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    checkKey(key);
    const request = { key: this.physical(key) };
    if (options.expectedVersion === undefined) {
      const res = await this.call('delete', () => this.client.kv.deleteRange(request));
      return Number(res.deleted) > 0;
    }
    const compare = this.compareOf({ key, version: options.expectedVersion });
    const res = await this.call('delete', () => this.client.kv.txn({ compare: [compare], success: [{ request_delete_range: request }], failure: [] }));
    if (!res.succeeded) throw new BadVersionError(key);
    return true;
  }

  async txn(txn: Txn): Promise<Revision> {
    const compare = txn.compares.map((c) => this.compareOf(c));
    const success: IRequestOp[] = txn.ops.map((op) => {
      checkKey(op.key);
      if (op.type === 'delete') return { request_delete_range: { key: this.physical(op.key) } };
      checkValue(op.value);
      return { request_put: { key: this.physical(op.key), value: op.value, lease: this.leaseOf(op.session) } };
    });
    const res = await this.call('txn', () => this.client.kv.txn({ compare, success, failure: [] }));
    if (!res.succeeded) throw new BadVersionError(txn.compares.length === 1 ? txn.compares[0]!.key : undefined, 'transaction compare failed');
    return Number(res.header.revision);
  }

  async increment(key: string): Promise<number> {
    for (;;) {
      const current = await this.get(key);
      const next = (current ? Number(current.value.toString()) : 0) + 1;
      try {
        await this.put(key, Buffer.from(String(next)), { expectedVersion: current ? current.version : 'absent' });
        return next;
      } catch (err) {
        if (!(err instanceof BadVersionError || err instanceof KeyExistsError)) throw err;
      }
    }
  }

  watch(prefix: string, options: WatchOptions = {}): Watch {
    checkPrefix(prefix);
    this.assertOpen();
    if (options.fromRevision !== undefined) checkRevision('fromRevision', options.fromRevision);
    const w: EtcdWatch = new EtcdWatch(this.client, this.namespace + prefix, this.logical, () => this.list(prefix), options, () => this.watches.delete(w));
    this.watches.add(w);
    return w.queue;
  }

  async createSession(options: SessionOptions = {}): Promise<Session> {
    this.assertOpen();
    const session = await EtcdSession.create(this.client, options.ttlMs ?? 6000);
    this.sessions.add(session);
    session.signal.addEventListener('abort', () => this.sessions.delete(session), { once: true });
    return session;
  }

  /** Revokes a lease by id from outside its holder (operators, tests): the holder sees it expire. */
  async revokeSession(id: string): Promise<void> {
    await this.call('lease revoke', () => this.client.leaseClient.leaseRevoke({ ID: id }));
  }

  async compact(revision: Revision): Promise<void> {
    checkRevision('revision', revision);
    await this.call('compact', () => this.client.kv.compact({ revision, physical: true }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.watches].map((w) => w.queue.close()));
    await Promise.all([...this.sessions].map((s) => s.close().catch(() => undefined)));
    this.closed = true;
    this.client.close();
  }
}

