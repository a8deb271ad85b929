// Deterministic payloads: the bytes are a function of (ledger, entry), so tests can check every
// byte read back without keeping copies. Sizes vary with the entry.
export function payloadFor(ledgerId: number, entryId: number, size = 100 + ((entryId * 7919) % 65_000)): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (ledgerId * 1_000_003 + entryId * 97 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
