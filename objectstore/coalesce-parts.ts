// Turns any stream of buffers into multipart-upload parts: each at least `partSize` bytes except the
// last, so callers may feed chunks of any size and S3's 5 MiB minimum part size is always met.

/**
 * Yields the concatenation of `chunks` cut at chunk boundaries into parts of at least `partSize`
 * bytes; only the last may be smaller (and is absent when the input is empty). Holds at most one
 * part plus one chunk in memory.
 */
export async function* coalesceParts(chunks: AsyncIterable<Buffer>, partSize: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('putMultipart parts must be Buffers');
    if (chunk.length === 0) continue;
    pending.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    pendingBytes += chunk.length;
    if (pendingBytes >= partSize) {
      const part = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      yield part;
    }
  }
  if (pendingBytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
}
