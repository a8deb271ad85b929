// The MetadataStore contract: a versioned, transactional key-value store with sessions and watches.
// Every backend (etcd, embedded) passes the one conformance suite in test/conformance.
//
// Contracts every backend keeps:
// - A version is a store-wide revision (etcd's mod_revision): it only grows, and a key deleted and
//   created again never gets an old version back, so a stale compare can never match (no ABA).
// - `createRevision` is the revision at which a key was created; comparing it in a transaction is how
//   an owner proves that its ownership key is still the one it created (the owner epoch).
// - Every mutation is durable before its promise resolves, and a watch delivers events in revision
//   order without gaps; when the store can no longer supply the history a watch needs (compaction,
//   a slow reader), the watch delivers a `reset` with the whole current state of its prefix instead.
// - Keys bound to a session vanish when the session is closed or expires.
import type { EventEmitter } from 'node:events';

/** A store-wide revision. Versions and create revisions are revisions. */
export type Revision = number;

export interface Entry {
  key: string;
  value: Buffer;
  /** Revision of the last change of this key (etcd mod_revision). */
  version: Revision;
  /** Revision at which this key was created (etcd create_revision): the owner epoch of a lease key. */
  createRevision: Revision;
}

/** A version to compare against: a revision, or 'absent' for "the key must not exist". */
export type ExpectedVersion = Revision | 'absent';

export interface PutOptions {
  /** Compare-and-set: the put happens only if the key's version is this ('absent' = create-if-absent). */
  expectedVersion?: ExpectedVersion;
  /** Binds the key to a session: it is deleted when the session ends. */
  session?: Session;
}

export interface DeleteOptions {
  /** The delete happens only if the key exists with this version. */
  expectedVersion?: Revision;
}

export type Compare =
  /** The key's version equals this revision, or the key is absent. */
  | { key: string; version: ExpectedVersion }
  /** The key exists and was created at this revision (the owner-epoch check). */
  | { key: string; createRevision: Revision };

export type TxnOp =
  | { type: 'put'; key: string; value: Buffer; session?: Session }
  | { type: 'delete'; key: string };

export interface Txn {
  compares: Compare[];
  ops: TxnOp[];
}

export interface ListResult {
  entries: Entry[];
  /** The store revision the listing was read at; a watch from `revision + 1` continues it without a gap. */
  revision: Revision;
}

export type WatchEvent =
  | { type: 'put'; key: string; value: Buffer; version: Revision; createRevision: Revision }
  | { type: 'delete'; key: string; version: Revision }
  /** The history could not be replayed: `entries` is the complete current state of the prefix. */
  | { type: 'reset'; entries: Entry[]; revision: Revision };

export interface WatchOptions {
  /** First revision to deliver (inclusive). Default: changes after the watch is established. */
  fromRevision?: Revision;
}

/** An ordered stream of changes under a prefix. Iterate it; close it when done. */
export interface Watch extends AsyncIterable<WatchEvent> {
  close(): Promise<void>;
}

/**
 * The life of a session:
 *   alive -> suspended (the store could not confirm the lease within its TTL) -> alive | expired
 *   alive | suspended -> expired (the store says the lease is gone, or it could not be renewed for 2 × TTL)
 *   any -> closed (closed by its holder: the lease is revoked)
 */
export type SessionState = 'alive' | 'suspended' | 'expired' | 'closed';

export interface SessionEvents {
  suspended: [];
  resumed: [];
  /** The one signal a holder must handle: its session-bound keys are gone or may be gone. */
  expired: [error: Error];
}

export interface Session extends EventEmitter<SessionEvents> {
  readonly id: string;
  readonly ttlMs: number;
  readonly state: SessionState;
  /** Aborted when the session expires or is closed. */
  readonly signal: AbortSignal;
  /** Revokes the lease: every key bound to it is deleted. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Lease time-to-live; etcd rounds up to whole seconds. Default 6000. */
  ttlMs?: number;
}

export interface MetadataStore {
  get(key: string): Promise<Entry | undefined>;
  /** Writes the key and returns its new version. Throws BadVersionError or KeyExistsError on a failed compare. */
  put(key: string, value: Buffer, options?: PutOptions): Promise<Revision>;
  /** Deletes the key; false if it did not exist. Throws BadVersionError on a failed compare. */
  delete(key: string, options?: DeleteOptions): Promise<boolean>;
  /** Every key starting with `prefix`, in key order. */
  list(prefix: string): Promise<ListResult>;
  /** All compares hold and every op is applied, or nothing is (BadVersionError). Returns the commit revision. */
  txn(txn: Txn): Promise<Revision>;
  /** Atomically increments the counter at `key` (starting from 0) and returns the new value. */
  increment(key: string): Promise<number>;
  watch(prefix: string, options?: WatchOptions): Watch;
  createSession(options?: SessionOptions): Promise<Session>;
  /** Discards history up to `revision`: watches resuming before it receive a `reset`. */
  compact(revision: Revision): Promise<void>;
  close(): Promise<void>;
}
