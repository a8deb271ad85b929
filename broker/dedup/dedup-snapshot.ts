// The persisted form of a partition's dedup state, with the log position it covers. Big-endian.
//   snapshot = magic:u32 ('SDDP') version:u16 (1) flags:u16 (bit 0 COVERED; others 0)
//              [coveredLedgerId:u64 coveredEntryId:u64]              present iff COVERED
//              producerCount:u32 producer × producerCount            ascending by name, each name once
//   producer = nameLen:u16 name:utf8 lastSequenceId:u64 ledgerId:u64 entryId:u64 batchIndex:u16
// "Covers (L, E)" means every entry up to and including (L, E) is reflected; replay starts after it. Without
// COVERED no entry is reflected and there are no producers. Every producer's position is at or before the covered
// entry; names are 1 … MAX_PRODUCER_NAME_BYTES UTF-8 bytes.
import { MAX_PRODUCER_NAME_BYTES, type MessagePosition } from '../../protocol/index.js';
import { comparePositions, type Position } from '../managed-ledger/index.js';
import { ByteReader } from '../../common/index.js';
import { ByteWriter } from '../codec/byte-writer.js';
import { MalformedDedupSnapshotError } from './errors.js';

export const DEDUP_SNAPSHOT_MAGIC = 0x53444450; // 'SDDP'
export const DEDUP_SNAPSHOT_VERSION = 1;
const COVERED = 0x0001;

/** The highest sequence id of a producer stored in the log, and the position of that message. */
export interface ProducerRecord {
  lastSequenceId: number;
  position: MessagePosition;
}

export interface DedupSnapshot {
  covered: Position | undefined;
  producers: ReadonlyMap<string, ProducerRecord>;
}

export function encodeDedupSnapshot(s: DedupSnapshot): Buffer {
  const w = new ByteWriter(64 + s.producers.size * 48);
  w.u32(DEDUP_SNAPSHOT_MAGIC);
  w.u16(DEDUP_SNAPSHOT_VERSION);
  w.u16(s.covered === undefined ? 0 : COVERED);
  if (s.covered !== undefined) {
    w.u64(s.covered.ledgerId);
    w.u64(s.covered.entryId);
  }
  const names = [...s.producers.keys()].sort(byName);
  w.u32(names.length);
  for (const name of names) {
    const { lastSequenceId, position } = s.producers.get(name)!;
    w.string16(name);
    w.u64(lastSequenceId);
    w.u64(position.ledgerId);
    w.u64(position.entryId);
    w.u16(position.batchIndex);
  }
  return w.finish();
}

export function decodeDedupSnapshot(bytes: Buffer): DedupSnapshot {
  const r: ByteReader = new ByteReader(bytes, (reason) => new MalformedDedupSnapshotError(`dedup snapshot: ${reason}`));
  const magic = r.u32();
  if (magic !== DEDUP_SNAPSHOT_MAGIC) r.error(`not a dedup snapshot (magic 0x${magic.toString(16).padStart(8, '0')})`);
  const version = r.u16();
  if (version !== DEDUP_SNAPSHOT_VERSION) r.error(`version ${version} is not supported (this code reads ${DEDUP_SNAPSHOT_VERSION})`);
  const flags = r.u16();
  if ((flags & ~COVERED) !== 0) r.error(`unknown flags 0x${flags.toString(16)}`);
  const covered = (flags & COVERED) !== 0 ? { ledgerId: r.u64('covered ledger id'), entryId: r.u64('covered entry id') } : undefined;
  const count = r.u32();
  if (covered === undefined && count > 0) r.error(`${count} producers but no covered position`);
  const producers = new Map<string, ProducerRecord>();
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const name = r.string16('producer name');
    const nameBytes = Buffer.byteLength(name, 'utf8');
    if (nameBytes === 0 || nameBytes > MAX_PRODUCER_NAME_BYTES) r.error(`producer name of ${nameBytes} bytes`);
    if (previous !== undefined && byName(previous, name) >= 0) r.error(`producer ${JSON.stringify(name)} out of order or repeated`);
    const lastSequenceId = r.u64('last sequence id');
    const position = { ledgerId: r.u64('ledger id'), entryId: r.u64('entry id'), batchIndex: r.u16() };
    if (comparePositions(position, covered!) > 0) r.error(`producer ${JSON.stringify(name)} is at a position after the covered one`);
    producers.set(name, { lastSequenceId, position });
    previous = name;
  }
  r.end();
  return { covered, producers };
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
