// Big-endian 64-bit integers as JS numbers: ids are safe integers, so no BigInt on the hot path.

const TWO_32 = 4294967296;

/** Writes a non-negative safe integer as u64 BE. The caller has validated the range. */
export function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

/** Reads a u64 BE; returns -1 when it does not fit a safe integer (the caller treats that as damage). */
export function readU64(buf: Buffer, offset: number): number {
  const hi = buf.readUInt32BE(offset);
  if (hi > 0x1fffff) return -1;
  return hi * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** Writes a safe integer (possibly negative) as two's-complement i64 BE. */
export function writeI64(buf: Buffer, value: number, offset: number): void {
  buf.writeInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

export function readI64(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}

/** True for the ids storage accepts: safe integers ≥ 0. */
export function isId(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
