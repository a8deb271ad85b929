// The frame format shared by every Strata connection, and frame encoding without copying payload bytes.
//   frame  = length:u32be body            length = number of bytes of body (≥ FRAME_HEADER_SIZE)
//   body   = command:u16be flags:u16be requestId:u32be command-specific-bytes

/** Bytes of the length prefix. */
export const LENGTH_PREFIX_SIZE = 4;
/** Bytes of the fixed header at the start of every frame body: command, flags, requestId. */
export const FRAME_HEADER_SIZE = 8;
/** The largest entry payload Strata carries (5 MiB). */
export const MAX_ENTRY_SIZE = 5 * 1024 * 1024;
/** Default maximum of a frame's length field: one maximal entry plus 64 KiB for headers and per-entry overhead. */
export const DEFAULT_MAX_FRAME_SIZE = MAX_ENTRY_SIZE + 64 * 1024;

/** A decoded frame. `body` holds the command-specific bytes after the fixed header, and may alias the received chunk. */
export interface Frame {
  command: number;
  flags: number;
  requestId: number;
  body: Buffer;
}

/**
 * Allocates the head of a frame: length prefix, fixed header and `fixedSize` bytes of command fields (left for the
 * caller to fill at offset LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE). `trailingSize` counts the bytes that will follow
 * in separate buffers (payloads); it only enters the length prefix.
 */
export function allocFrameHead(
  command: number,
  flags: number,
  requestId: number,
  fixedSize: number,
  trailingSize: number,
): Buffer {
  const length = FRAME_HEADER_SIZE + fixedSize + trailingSize;
  if (length > 0xffffffff) throw new RangeError(`frame body of ${length} bytes does not fit a u32 length`);
  const head = Buffer.allocUnsafe(LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE + fixedSize);
  head.writeUInt32BE(length, 0);
  head.writeUInt16BE(command, 4);
  head.writeUInt16BE(flags, 6);
  head.writeUInt32BE(requestId, 8);
  return head;
}

/**
 * Encodes a frame as `[head, ...parts]`: `head` is the 12-byte prefix and header, `parts` are passed through
 * untouched (same Buffer objects), so payloads are never copied. Hand the result to `FrameConnection.send`.
 */
export function encodeFrame(command: number, flags: number, requestId: number, parts: readonly Buffer[]): Buffer[] {
  let size = 0;
  for (const part of parts) size += part.length;
  const out: Buffer[] = [allocFrameHead(command, flags, requestId, 0, size)];
  for (const part of parts) out.push(part);
  return out;
}

/** Encodes a frame into one contiguous buffer: a copy, meant for small frames and tests. */
export function encodeFrameToBuffer(
  command: number,
  flags: number,
  requestId: number,
  parts: readonly Buffer[] = [],
): Buffer {
  return Buffer.concat(encodeFrame(command, flags, requestId, parts));
}
