// A partition's log as stored under /partitions/{topic}/{p}: its ledgers in order. Changed only by
// the owner, in transactions that also check the owner epoch (partition-log-store.ts).

export interface LedgerInfo {
  ledgerId: number;
  /** Entries of a closed ledger; undefined while it is the open (current) ledger. */
  entries?: number;
  /** Payload bytes; for a ledger recovered after a crash, the bytes the owner knew of (a lower bound). */
  size: number;
  createdAt: number;
  closedAt?: number;
  /** Set once the ledger lives in the object store (tiering). */
  offloaded?: boolean;
}

export interface PartitionLogMetadata {
  ledgers: LedgerInfo[];
}

export function encodePartitionLog(m: PartitionLogMetadata): Buffer {
  return Buffer.from(JSON.stringify({ format: 'strata-partition-log', version: 1, ...m }));
}

export function decodePartitionLog(value: Buffer): PartitionLogMetadata {
  const json = JSON.parse(value.toString('utf8')) as PartitionLogMetadata & { format?: string; version?: number };
  if (json.format !== 'strata-partition-log' || json.version !== 1) throw new Error(`unknown partition log format ${String(json.format)} v${String(json.version)}`);
  return { ledgers: json.ledgers };
}
