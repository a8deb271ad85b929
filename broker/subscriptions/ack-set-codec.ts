// The serialized ack state of a subscription on a partition (what a cursor persists). Varints are unsigned LEB128
// in their shortest form; fixed integers big-endian.
//   state    = magic:u32 ('SACK') version:u16 (1) flags:u16 (0)
//              markDeleteLedgerId:varint markDeleteEntryId+1:varint ledgerCount:varint ledger × ledgerCount
//   ledger   = idDelta:varint        first: ledgerId − markDeleteLedgerId; then: ledgerId − previous ledgerId − 1
//              rangeCount:varint (gap:varint span:varint) × rangeCount
//              partialCount:varint (gap:varint batchSize:varint bitset:⌈batchSize/8⌉ bytes) × partialCount
// Ranges are fully acked entries [start, start + span]; start = previous + 1 + gap, where previous is the end of
// the range before, or the floor for the first one: the mark-delete entry id in its own ledger, −1 in later
// ledgers. Partially acked entries follow the same rule with previous = the entry before. A bitset holds bit i
// (batch index i) in byte i >> 3 at mask 1 << (i & 7), padding bits 0.
// Exactly one encoding per state: the decoder refuses ranges that touch each other or the mark-delete position,
// empty ledgers, full or empty bitsets, partial entries inside ranges, unknown versions and flags, trailing bytes.
import { MAX_BATCH_MESSAGES } from '../../protocol/index.js';
import type { Position } from '../managed-ledger/index.js';
import { ByteReader } from '../../common/index.js';
import type { ByteSink } from '../codec/byte-writer.js';
import { BatchAcks } from './batch-acks.js';
import { EntryRanges } from './entry-ranges.js';
import { MalformedAckStateError } from './errors.js';

export const ACK_STATE_MAGIC = 0x5341434b; // 'SACK'
export const ACK_STATE_VERSION = 1;

/** What is acked beyond the mark-delete position in one ledger; never empty, and the two never overlap. */
export interface LedgerAcks {
  ranges: EntryRanges;
  /** entryId → acked batch indexes of an entry that is not fully acked. */
  partial: Map<number, BatchAcks>;
}

export interface AckState {
  markDelete: Position;
  /** Ledgers with acks beyond the mark-delete position (ids ≥ markDelete.ledgerId). */
  ledgers: Map<number, LedgerAcks>;
}

export function encodeAckState(state: AckState, out: ByteSink): void {
  const md = state.markDelete;
  out.u32(ACK_STATE_MAGIC);
  out.u16(ACK_STATE_VERSION);
  out.u16(0);
  out.varint(md.ledgerId);
  out.varint(md.entryId + 1);
  const ids = [...state.ledgers.keys()].sort((a, b) => a - b);
  out.varint(ids.length);
  let previousLedger = md.ledgerId - 1;
  for (const ledgerId of ids) {
    out.varint(ledgerId - previousLedger - 1);
    previousLedger = ledgerId;
    const acks = state.ledgers.get(ledgerId)!;
    const floor = ledgerId === md.ledgerId ? md.entryId : -1;
    out.varint(acks.ranges.rangeCount);
    let previous = floor;
    acks.ranges.forEach((start, end) => {
      out.varint(start - previous - 1);
      out.varint(end - start);
      previous = end;
    });
    const partial = [...acks.partial.keys()].sort((a, b) => a - b);
    out.varint(partial.length);
    previous = floor;
    for (const entryId of partial) {
      const batch = acks.partial.get(entryId)!;
      out.varint(entryId - previous - 1);
      out.varint(batch.size);
      out.bytes(batch.bytes());
      previous = entryId;
    }
  }
}

export function decodeAckState(bytes: Buffer): AckState {
  const r: ByteReader = new ByteReader(bytes, (reason) => new MalformedAckStateError(`ack state: ${reason}`));
  const magic = r.u32();
  if (magic !== ACK_STATE_MAGIC) r.error(`not an ack state (magic 0x${magic.toString(16).padStart(8, '0')})`);
  const version = r.u16();
  if (version !== ACK_STATE_VERSION) r.error(`version ${version} is not supported (this code reads ${ACK_STATE_VERSION})`);
  const flags = r.u16();
  if (flags !== 0) r.error(`unknown flags 0x${flags.toString(16)}`);
  const md = { ledgerId: r.varint('mark-delete ledger id'), entryId: r.varint('mark-delete entry id') - 1 };
  const ledgers = new Map<number, LedgerAcks>();
  const ledgerCount = r.varint('ledger count');
  let ledgerId = md.ledgerId - 1;
  for (let l = 0; l < ledgerCount; l++) {
    ledgerId = safe(r, ledgerId + 1 + r.varint('ledger id delta'), 'ledger id');
    const floor = ledgerId === md.ledgerId ? md.entryId : -1;
    const acks: LedgerAcks = { ranges: new EntryRanges(), partial: new Map() };
    const rangeCount = r.varint('range count');
    let previous = floor;
    for (let i = 0; i < rangeCount; i++) {
      const gap = r.varint('range gap');
      // A range touching the one before (or the mark-delete position) would have been merged into it.
      if (gap === 0 && (i > 0 || ledgerId === md.ledgerId)) r.error(`ledger ${ledgerId}: range ${i} touches what precedes it`);
      const start = safe(r, previous + 1 + gap, 'range start');
      const end = safe(r, start + r.varint('range span'), 'range end');
      acks.ranges.append(start, end);
      previous = end;
    }
    const partialCount = r.varint('partial entry count');
    previous = floor;
    for (let i = 0; i < partialCount; i++) {
      const entryId = safe(r, previous + 1 + r.varint('partial entry gap'), 'partial entry id');
      const size = r.varint('batch size');
      if (size < 2 || size > MAX_BATCH_MESSAGES) r.error(`entry ${ledgerId}:${entryId}: batch size ${size} outside 2 … ${MAX_BATCH_MESSAGES}`);
      const batch = BatchAcks.fromBytes(size, r.bytes(BatchAcks.bitsetBytes(size)));
      if (batch === undefined) r.error(`entry ${ledgerId}:${entryId}: bitset padding bits set`);
      if (batch.ackedCount === 0 || batch.full) r.error(`entry ${ledgerId}:${entryId}: a partial entry with ${batch.ackedCount} of ${size} acked`);
      if (acks.ranges.has(entryId)) r.error(`entry ${ledgerId}:${entryId} is both fully and partially acked`);
      acks.partial.set(entryId, batch);
      previous = entryId;
    }
    if (rangeCount === 0 && partialCount === 0) r.error(`ledger ${ledgerId} lists no acks`);
    ledgers.set(ledgerId, acks);
  }
  r.end();
  return { markDelete: md, ledgers };
}

function safe(r: ByteReader, v: number, field: string): number {
  if (!Number.isSafeInteger(v)) r.error(`${field} exceeds 2^53-1`);
  return v;
}
