// Key routing shared by the broker's HTTP path and the client: murmur3 (x86, 32-bit, seed 0) of the
// key's UTF-8 bytes, modulo the partition count. Changing it moves keys between partitions: don't.

export function murmur3(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = data.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i << 2;
    let k = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // The 1-3 tail bytes, little-endian, mixed like a block.
  const tail = blocks << 2;
  const rest = data.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= data[tail + 2]! << 16;
    if (rest >= 2) k ^= data[tail + 1]! << 8;
    k ^= data[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The partition of a message key. */
export function partitionForKey(key: string, partitions: number): number {
  return murmur3(Buffer.from(key, 'utf8')) % partitions;
}

/** The hash a key_shared subscription routes a message by: murmur3 of its key, of '' for a message without one. */
export function keyHash(key: string | undefined): number {
  return key === undefined || key === '' ? EMPTY_KEY_HASH : murmur3(Buffer.from(key, 'utf8'));
}

const EMPTY_KEY_HASH = murmur3(new Uint8Array(0));
