// The records of the index log, and a growable buffer that collects them between checkpoints.
// All fields big-endian; a record is a type byte and fixed-size fields:
//   1 ENTRY   ledgerId u64 | entryId u64 | logId u32 | offset u32 | payloadLength u32   (29 bytes)
//   2 FENCE   ledgerId u64                                                           (9 bytes)
//   3 LAC     ledgerId u64 | lac i64                                                 (17 bytes)
//   4 DELETE  ledgerId u64 — drops every earlier record of the ledger                (9 bytes)
// Replay applies records in order; a later ENTRY for the same entry replaces the earlier location.
import { StorageFormatError } from './errors.js';
import { readI64, readU64, writeI64, writeU64 } from './int64.js';

const ENTRY = 1;
const FENCE = 2;
const LAC = 3;
const DELETE = 4;
const SIZES: Record<number, number> = { [ENTRY]: 29, [FENCE]: 9, [LAC]: 17, [DELETE]: 9 };

export interface IndexRecordVisitor {
  entry(ledgerId: number, entryId: number, logId: number, offset: number, length: number): void;
  fence(ledgerId: number): void;
  lac(ledgerId: number, lac: number): void;
  delete(ledgerId: number): void;
}

/** Encoded records in arrival order; `take()` hands them over and starts afresh. */
export class IndexRecordBuffer {
  private buf: Buffer;
  private used = 0;
  /** Number of records held. */
  count = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get byteLength(): number {
    return this.used;
  }

  addEntry(ledgerId: number, entryId: number, logId: number, offset: number, length: number): void {
    const at = this.reserve(ENTRY);
    writeU64(this.buf, ledgerId, at + 1);
    writeU64(this.buf, entryId, at + 9);
    this.buf.writeUInt32BE(logId, at + 17);
    this.buf.writeUInt32BE(offset, at + 21);
    this.buf.writeUInt32BE(length, at + 25);
  }

  addFence(ledgerId: number): void {
    writeU64(this.buf, ledgerId, this.reserve(FENCE) + 1);
  }

  addLac(ledgerId: number, lac: number): void {
    const at = this.reserve(LAC);
    writeU64(this.buf, ledgerId, at + 1);
    writeI64(this.buf, lac, at + 9);
  }

  addDelete(ledgerId: number): void {
    writeU64(this.buf, ledgerId, this.reserve(DELETE) + 1);
  }

  /** Returns the encoded records (a copy sized to fit) and empties the buffer. */
  take(): { bytes: Buffer; count: number } {
    const taken = { bytes: Buffer.from(this.buf.subarray(0, this.used)), count: this.count };
    this.used = 0;
    this.count = 0;
    return taken;
  }

  private reserve(type: number): number {
    const size = SIZES[type]!;
    if (this.used + size > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + size));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    const at = this.used;
    this.buf[at] = type;
    this.used += size;
    this.count++;
    return at;
  }
}

/**
 * Applies every record of a checksummed batch body to `visitor`; returns the number of records. A body
 * that passed its checksum but does not parse was written by another format: StorageFormatError.
 */
export function decodeIndexRecords(body: Buffer, visitor: IndexRecordVisitor, path: string): number {
  let at = 0;
  let count = 0;
  while (at < body.length) {
    const type = body[at]!;
    const size = SIZES[type];
    if (size === undefined) throw new StorageFormatError(path, `unknown index record type ${type}`);
    if (at + size > body.length) throw new StorageFormatError(path, `index record of type ${type} runs past its batch`);
    const ledgerId = readU64(body, at + 1);
    if (ledgerId < 0) throw new StorageFormatError(path, 'ledger id out of range in index record');
    switch (type) {
      case ENTRY: {
        const entryId = readU64(body, at + 9);
        if (entryId < 0) throw new StorageFormatError(path, 'entry id out of range in index record');
        visitor.entry(ledgerId, entryId, body.readUInt32BE(at + 17), body.readUInt32BE(at + 21), body.readUInt32BE(at + 25));
        break;
      }
      case FENCE:
        visitor.fence(ledgerId);
        break;
      case LAC:
        visitor.lac(ledgerId, readI64(body, at + 9));
        break;
      default:
        visitor.delete(ledgerId);
    }
    at += size;
    count++;
  }
  return count;
}
