// The embedded store's record bodies: one committed revision, or a snapshot of the whole state.
// JSON with base64 values: metadata is small, and a readable format eases repair.
import { StoreCorruptError } from '../errors.js';
import type { Revision } from '../metadata-store.js';

export interface StoredKey {
  key: string;
  value: Buffer;
  version: Revision;
  createRevision: Revision;
  /** The session the key is bound to; such keys do not survive the process that created them. */
  session?: string;
}

export type CommitOp = { type: 'put'; key: string; value: Buffer; session?: string } | { type: 'delete'; key: string };

export interface Commit {
  revision: Revision;
  ops: CommitOp[];
}

type JsonOp = { p: string; v: string; s?: string } | { d: string };

export function encodeCommit(commit: Commit): Buffer {
  const ops: JsonOp[] = commit.ops.map((op) =>
    op.type === 'delete' ? { d: op.key } : op.session ? { p: op.key, v: op.value.toString('base64'), s: op.session } : { p: op.key, v: op.value.toString('base64') },
  );
  return Buffer.from(JSON.stringify({ r: commit.revision, o: ops }));
}

export function decodeCommit(body: Buffer): Commit {
  const json = parse(body) as { r?: unknown; o?: unknown };
  if (typeof json.r !== 'number' || !Array.isArray(json.o)) throw new StoreCorruptError('metadata log record is not a commit');
  const ops = (json.o as JsonOp[]).map((op): CommitOp =>
    'd' in op ? { type: 'delete', key: op.d } : { type: 'put', key: op.p, value: Buffer.from(op.v, 'base64'), session: op.s },
  );
  return { revision: json.r, ops };
}

export function encodeSnapshot(revision: Revision, keys: StoredKey[]): Buffer {
  const rows = keys.map((k) => [k.key, k.value.toString('base64'), k.version, k.createRevision, k.session ?? null]);
  return Buffer.from(JSON.stringify({ r: revision, k: rows }));
}

export function decodeSnapshot(body: Buffer): { revision: Revision; keys: StoredKey[] } {
  const json = parse(body) as { r?: unknown; k?: unknown };
  if (typeof json.r !== 'number' || !Array.isArray(json.k)) throw new StoreCorruptError('metadata snapshot is malformed');
  const keys = (json.k as Array<[string, string, number, number, string | null]>).map(([key, v, version, createRevision, session]) => ({
    key,
    value: Buffer.from(v, 'base64'),
    version,
    createRevision,
    session: session ?? undefined,
  }));
  return { revision: json.r, keys };
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new StoreCorruptError('metadata record is not valid JSON despite a valid checksum', { cause: err });
  }
}
