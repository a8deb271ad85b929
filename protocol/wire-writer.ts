// Field writers for encoders; they reject values the wire cannot carry with RangeError (a caller bug, not bad input).

const TWO_POW_32 = 0x1_0000_0000;

/** Writes a non-negative safe integer as u64be at `off`. */
export function writeU64(buf: Buffer, off: number, value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} must be a safe integer ≥ 0, got ${value}`);
  buf.writeUInt32BE(Math.floor(value / TWO_POW_32), off);
  buf.writeUInt32BE(value >>> 0, off + 4);
}

/** Writes −1 (none) or a non-negative safe integer as i64be at `off`. */
export function writeLac(buf: Buffer, off: number, value: number, field: string): void {
  if (value === -1) {
    buf.writeUInt32BE(0xffffffff, off);
    buf.writeUInt32BE(0xffffffff, off + 4);
    return;
  }
  writeU64(buf, off, value, field);
}

/** UTF-8 bytes of `s`, checked to fit a u16 length prefix. */
export function utf8Field(s: string, field: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > 0xffff) throw new RangeError(`${field} is ${bytes.length} UTF-8 bytes; at most 65535 fit`);
  return bytes;
}
