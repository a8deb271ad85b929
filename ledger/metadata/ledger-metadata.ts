// Ledger metadata as stored under /ledgers/{id}, and the placement rules derived from it.
// Changed only by compare-and-set (ledger-metadata-store.ts).
//
// Entry e of a fragment with ensemble [b0 … bE-1] is stored on its write set: positions
// e mod E, e+1 mod E, …, e+Qw-1 mod E.
import { InvalidLedgerArgumentError } from '../errors.js';

export type LedgerState = 'OPEN' | 'IN_RECOVERY' | 'CLOSED';

export interface Fragment {
  /** First entry written with this ensemble. */
  firstEntryId: number;
  /** Bookie ids, by ensemble position. */
  ensemble: string[];
}

/**
 * Where an offloaded ledger's data lives in the object store (written by the offloader, by
 * compare-and-set, only after the object was uploaded and verified). A ledger that has this record
 * reads the same from the object as from the bookies; its bookie copies may be deleted, and
 * `localCopiesDeletedAt` says when they were.
 */
export interface LedgerOffload {
  /** Key of the one object (unique per offload attempt) holding the whole ledger. */
  objectKey: string;
  /** Object size in bytes. */
  size: number;
  /** Checksum of the whole object, e.g. "crc32c:1a2b3c4d"; also stored in the object's own metadata. */
  checksum: string;
  /** Version of the object format (objectstore/offload/offload-format.ts). */
  formatVersion: number;
  /** Offset of the object's index, so a reader fetches index and footer in one ranged read. */
  indexOffset: number;
  /** Data block size of the object. */
  blockSize: number;
  /** Payload bytes of all entries. */
  payloadBytes: number;
  offloadedAt: number;
  /** Who offloaded it (the offloader's owner id). */
  offloadedBy: string;
  /** When the bookies' copies were deleted; absent while they may still exist. */
  localCopiesDeletedAt?: number;
}

export interface LedgerMetadata {
  id: number;
  ensembleSize: number;
  writeQuorum: number;
  ackQuorum: number;
  state: LedgerState;
  /** Last entry of a CLOSED ledger (−1 when empty); −1 otherwise. */
  lastEntryId: number;
  /** Payload bytes of a ledger closed by its writer; recovery cannot know it and leaves it undefined. */
  length?: number;
  fragments: Fragment[];
  createdAt: number;
  /** Free-form properties of the creator (e.g. the partition it belongs to). */
  properties: Record<string, string>;
  /** Set once the ledger is offloaded to the object store (CLOSED ledgers only). */
  offload?: LedgerOffload;
}

export interface Quorums {
  ensembleSize: number;
  writeQuorum: number;
  ackQuorum: number;
}

export function checkQuorums({ ensembleSize: e, writeQuorum: w, ackQuorum: a }: Quorums): void {
  const ok = [e, w, a].every((x) => Number.isInteger(x) && x >= 1) && e >= w && w >= a;
  if (!ok) throw new InvalidLedgerArgumentError(`quorums must satisfy ensemble ≥ write ≥ ack ≥ 1, got ${e}/${w}/${a}`);
}

/** The fragment holding entry `entryId`: the last one starting at or before it. */
export function fragmentOf(metadata: LedgerMetadata, entryId: number): Fragment {
  let found = metadata.fragments[0]!;
  for (const f of metadata.fragments) {
    if (f.firstEntryId <= entryId) found = f;
    else break;
  }
  return found;
}

/** Ensemble positions of entry `entryId`'s write set. */
export function writeSetPositions(entryId: number, ensembleSize: number, writeQuorum: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < writeQuorum; i++) out.push((entryId + i) % ensembleSize);
  return out;
}

/** Bookie ids of entry `entryId`'s write set in `fragment`. */
export function writeSet(fragment: Fragment, entryId: number, writeQuorum: number): string[] {
  return writeSetPositions(entryId, fragment.ensemble.length, writeQuorum).map((p) => fragment.ensemble[p]!);
}

/** Every bookie that holds some entry of the ledger. */
export function allBookies(metadata: LedgerMetadata): string[] {
  return [...new Set(metadata.fragments.flatMap((f) => f.ensemble))];
}

export function encodeLedgerMetadata(m: LedgerMetadata): Buffer {
  return Buffer.from(JSON.stringify({ format: 'strata-ledger', version: 1, ...m }));
}

export function decodeLedgerMetadata(value: Buffer): LedgerMetadata {
  const json = JSON.parse(value.toString('utf8')) as LedgerMetadata & { format?: string; version?: number };
  if (json.format !== 'strata-ledger' || json.version !== 1) {
    throw new InvalidLedgerArgumentError(`ledger metadata has unknown format ${String(json.format)} v${String(json.version)}`);
  }
  const { format: _f, version: _v, ...m } = json;
  return m;
}
