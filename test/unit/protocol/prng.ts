// Seeded PRNG (mulberry32) for reproducible random tests: a failure names its seed and can be replayed.

export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  bytes(n: number): Buffer;
}

export function prng(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const bytes = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = int(0, 255);
    return b;
  };
  return { next, int, bytes };
}

/** Cuts `data` into chunks at random points (each chunk 1..maxChunk bytes); chunks are copies, as sockets deliver. */
export function randomChunks(data: Buffer, rng: Prng, maxChunk: number): Buffer[] {
  const chunks: Buffer[] = [];
  let off = 0;
  while (off < data.length) {
    const n = Math.min(rng.int(1, maxChunk), data.length - off);
    chunks.push(Buffer.from(data.subarray(off, off + n)));
    off += n;
  }
  return chunks;
}
