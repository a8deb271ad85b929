// MetadataStore for standalone mode: the whole state in memory, made durable by a write-ahead log
// with group commit (metadata-log.ts). Same semantics as etcd inside one process: store-wide
// revisions, transactions, sessions, and watches that replay from a bounded history.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type {
  Compare, DeleteOptions, Entry, ListResult, MetadataStore, PutOptions, Revision, Session, SessionOptions, Txn, TxnOp, Watch, WatchEvent, WatchOptions,
} from '../metadata-store.js';
import { BadVersionError, KeyExistsError, SessionExpiredError, StoreClosedError, StoreCorruptError } from '../errors.js';
import { checkKey, checkPrefix, checkRevision, checkValue } from '../validation.js';
import { WatchQueue } from '../watch-queue.js';
import { MetadataLog } from './metadata-log.js';
import { EmbeddedSession, type LeaseTable } from './embedded-session.js';
import { ProcessLock } from './process-lock.js';
import { decodeCommit, decodeSnapshot, encodeCommit, encodeSnapshot, type StoredKey, type CommitOp } from './commit-codec.js';

export interface EmbeddedMetadataStoreOptions {
  /** Events kept for watches that resume from an older revision. Default 10,000. */
  historyEvents?: number;
  /** The log is folded into a snapshot when it grows past this. Default 16 MiB. */
  snapshotAfterBytes?: number;
}

type Stamped = WatchEvent & { type: 'put' | 'delete' };

export class EmbeddedMetadataStore implements MetadataStore, LeaseTable {
  private readonly state = new Map<string, StoredKey>();
  private revision = 0;
  /** Highest revision whose record is durable and whose events were published. */
  private published = 0;
  private compacted = 0;
  private history: Stamped[] = [];
  private readonly watchers = new Set<{ prefix: string; queue: WatchQueue; next: number }>();
  private readonly sessions = new Map<string, EmbeddedSession>();
  private readonly sessionPrefix = randomBytes(4).toString('hex');
  private sessionCounter = 0;
  private readonly expiryTimer: NodeJS.Timeout;
  private closed = false;
  private readonly historyEvents: number;
  private readonly snapshotAfterBytes: number;

  private constructor(
    private readonly log: MetadataLog,
    private readonly lock: ProcessLock,
    options: EmbeddedMetadataStoreOptions,
  ) {
    this.historyEvents = options.historyEvents ?? 10_000;
    this.snapshotAfterBytes = options.snapshotAfterBytes ?? 16 * 1024 * 1024;
    this.expiryTimer = setInterval(() => this.expireSessions(), 100);
    this.expiryTimer.unref();
  }

  /** Opens (or creates) the store in `dir`. Keys bound to sessions of an earlier process are deleted. */
  static async open(dir: string, options: EmbeddedMetadataStoreOptions = {}): Promise<EmbeddedMetadataStore> {
    await fs.mkdir(dir, { recursive: true });
    const lock = await ProcessLock.acquire(path.join(dir, 'LOCK'));
    try {
      const { log, recovered } = await MetadataLog.open(dir);
      const store = new EmbeddedMetadataStore(log, lock, options);
      if (recovered.snapshot) {
        const snap = decodeSnapshot(recovered.snapshot);
        store.revision = snap.revision;
        for (const k of snap.keys) store.state.set(k.key, k);
      }
      for (const body of recovered.records) {
        const commit = decodeCommit(body);
        if (commit.revision <= store.revision) continue; // already in the snapshot
        if (commit.revision !== store.revision + 1) {
          throw new StoreCorruptError(`${dir}: log jumps from revision ${store.revision} to ${commit.revision}`);
        }
        store.applyOps(commit.revision, commit.ops);
      }
      store.published = store.compacted = store.revision;
      const orphans = [...store.state.values()].filter((k) => k.session !== undefined).map((k): TxnOp => ({ type: 'delete', key: k.key }));
      if (orphans.length > 0) await store.commit([], orphans);
      return store;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  // ---- reads: answered from memory once everything they could see is durable ----

  async get(key: string): Promise<Entry | undefined> {
    checkKey(key);
    this.assertOpen();
    const k = this.state.get(key);
    await this.log.barrier();
    return k && toEntry(k);
  }

  async list(prefix: string): Promise<ListResult> {
    checkPrefix(prefix);
    this.assertOpen();
    const result = this.listNow(prefix);
    await this.log.barrier();
    return result;
  }

  private listNow(prefix: string): ListResult {
    const entries: Entry[] = [];
    for (const k of this.state.values()) if (k.key.startsWith(prefix)) entries.push(toEntry(k));
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { entries, revision: this.revision };
  }

  // ---- writes: compare and apply synchronously (one at a time by construction), then log ----

  async put(key: string, value: Buffer, options: PutOptions = {}): Promise<Revision> {
    checkKey(key);
    checkValue(value);
    const expected = options.expectedVersion;
    if (expected !== undefined && !this.holds({ key, version: expected })) {
      throw expected === 'absent' ? new KeyExistsError(key) : new BadVersionError(key);
    }
    return this.commit([], [{ type: 'put', key, value, session: options.session }]);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    checkKey(key);
    this.assertOpen();
    if (options.expectedVersion !== undefined) {
      checkRevision('expectedVersion', options.expectedVersion);
      if (!this.holds({ key, version: options.expectedVersion })) throw new BadVersionError(key);
    }
    if (!this.state.has(key)) {
      await this.log.barrier();
      return false;
    }
    await this.commit([], [{ type: 'delete', key }]);
    return true;
  }

  async txn(txn: Txn): Promise<Revision> {
    for (const c of txn.compares) checkKey(c.key);
    for (const op of txn.ops) {
      checkKey(op.key);
      if (op.type === 'put') checkValue(op.value);
    }
    return this.commit(txn.compares, txn.ops);
  }

  async increment(key: string): Promise<number> {
    checkKey(key);
    const current = this.state.get(key);
    const next = (current ? Number(current.value.toString()) : 0) + 1;
    await this.commit([], [{ type: 'put', key, value: Buffer.from(String(next)) }]);
    return next;
  }

  private holds(c: Compare): boolean {
    const k = this.state.get(c.key);
    if ('createRevision' in c) {
      checkRevision('createRevision', c.createRevision);
      return k !== undefined && k.createRevision === c.createRevision;
    }
    if (c.version === 'absent') return k === undefined;
    checkRevision('version', c.version);
    return k !== undefined && k.version === c.version;
  }

  /** Checks, applies and logs one revision; resolves when it is durable. Synchronous up to the log. */
  private commit(compares: Compare[], ops: TxnOp[]): Promise<Revision> {
    this.assertOpen();
    for (const c of compares) {
      if (!this.holds(c)) return Promise.reject(new BadVersionError(compares.length === 1 ? c.key : undefined, 'transaction compare failed'));
    }
    const commitOps: CommitOp[] = [];
    for (const op of ops) {
      if (op.type === 'delete') {
        if (this.state.has(op.key)) commitOps.push({ type: 'delete', key: op.key });
        continue;
      }
      let sessionId: string | undefined;
      if (op.session) {
        const s = this.sessions.get(op.session.id);
        if (!s || s !== op.session) return Promise.reject(new SessionExpiredError(op.session.id));
        sessionId = s.id;
      }
      commitOps.push({ type: 'put', key: op.key, value: op.value, session: sessionId });
    }
    const revision = this.revision + 1;
    const events = this.applyOps(revision, commitOps);
    const durable = this.log.append(encodeCommit({ revision, ops: commitOps }));
    return durable.then(() => {
      this.publish(revision, events);
      this.maybeSnapshot();
      return revision;
    });
  }

  private applyOps(revision: Revision, ops: CommitOp[]): Stamped[] {
    this.revision = revision;
    const events: Stamped[] = [];
    for (const op of ops) {
      if (op.type === 'delete') {
        if (this.state.delete(op.key)) events.push({ type: 'delete', key: op.key, version: revision });
      } else {
        const createRevision = this.state.get(op.key)?.createRevision ?? revision;
        this.state.set(op.key, { key: op.key, value: op.value, version: revision, createRevision, session: op.session });
        events.push({ type: 'put', key: op.key, value: op.value, version: revision, createRevision });
      }
    }
    return events;
  }

  /** Publishes a durable revision's events; log syncs complete in order, so revisions arrive in order. */
  private publish(revision: Revision, events: Stamped[]): void {
    this.published = revision;
    for (const e of events) this.history.push(e);
    if (this.history.length > this.historyEvents) {
      const drop = this.history.length - this.historyEvents;
      this.compacted = Math.max(this.compacted, this.history[drop - 1]!.version);
      this.history = this.history.slice(drop);
    }
    for (const w of this.watchers) this.feed(w, events);
  }

  private feed(w: { prefix: string; queue: WatchQueue; next: number }, events: Stamped[]): void {
    for (const e of events) {
      if (e.version < w.next || !e.key.startsWith(w.prefix)) continue;
      w.queue.push(e);
    }
    if (events.length > 0) w.next = Math.max(w.next, events[events.length - 1]!.version + 1);
  }

  private maybeSnapshot(): void {
    if (this.log.sizeBytes < this.snapshotAfterBytes || this.closed) return;
    const snapshot = encodeSnapshot(this.revision, [...this.state.values()]);
    this.log.rewrite(snapshot).catch(() => undefined); // a failure breaks the log: later commits report it
  }

  // ---- watches ----

  watch(prefix: string, options: WatchOptions = {}): Watch {
    checkPrefix(prefix);
    this.assertOpen();
    const from = options.fromRevision ?? this.published + 1;
    checkRevision('fromRevision', from);
    const w = {
      prefix,
      next: from,
      queue: new WatchQueue(async () => this.listNow(prefix), async () => void this.watchers.delete(w)),
    };
    this.watchers.add(w);
    if (from <= this.compacted) {
      // The history no longer reaches back to `from`: start with the current state instead.
      w.queue.push({ type: 'reset', ...this.listNow(prefix) });
      w.next = this.revision + 1;
    } else {
      this.feed(w, this.history.filter((e) => e.version >= from));
      w.next = Math.max(w.next, this.published + 1);
    }
    return w.queue;
  }

  async compact(revision: Revision): Promise<void> {
    checkRevision('revision', revision);
    this.assertOpen();
    if (revision > this.revision) throw new BadVersionError(undefined, `cannot compact to future revision ${revision}`);
    this.compacted = Math.max(this.compacted, revision);
    this.history = this.history.filter((e) => e.version > revision);
  }

  // ---- sessions ----

  async createSession(options: SessionOptions = {}): Promise<Session> {
    this.assertOpen();
    const id = `${this.sessionPrefix}-${(++this.sessionCounter).toString(16)}`;
    const session = new EmbeddedSession(id, options.ttlMs ?? 6000, this);
    this.sessions.set(id, session);
    return session;
  }

  renew(session: EmbeddedSession): boolean {
    if (this.sessions.get(session.id) !== session) return false;
    session.deadline = Date.now() + session.ttlMs;
    return true;
  }

  async revoke(session: EmbeddedSession): Promise<void> {
    if (!this.sessions.delete(session.id) || this.closed) return;
    await this.deleteSessionKeys(session.id);
  }

  /** Ends a session from outside its holder (operators, tests): the holder sees it expire. */
  async revokeSession(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.expire(new SessionExpiredError(id, `session ${id} was revoked`));
    await this.deleteSessionKeys(id);
  }

  private async deleteSessionKeys(id: string): Promise<void> {
    const ops: TxnOp[] = [];
    for (const k of this.state.values()) if (k.session === id) ops.push({ type: 'delete', key: k.key });
    if (ops.length > 0) await this.commit([], ops);
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const s of this.sessions.values()) {
      if (s.deadline > now) continue;
      this.revokeSession(s.id).catch(() => undefined);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const w of [...this.watchers]) await w.queue.close();
    for (const s of [...this.sessions.values()]) await s.close().catch(() => undefined);
    this.closed = true;
    clearInterval(this.expiryTimer);
    await this.log.close();
    await this.lock.release();
  }
}

function toEntry(k: StoredKey): Entry {
  return { key: k.key, value: k.value, version: k.version, createRevision: k.createRevision };
}
