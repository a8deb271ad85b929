// Recently written entries, byte-bounded, so tailing readers never go to the bookies. Oldest out first.

export class EntryCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  private static key(ledgerId: number, entryId: number): string {
    return `${ledgerId}:${entryId}`;
  }

  put(ledgerId: number, entryId: number, data: Buffer): void {
    if (data.length > this.maxBytes) return;
    const key = EntryCache.key(ledgerId, entryId);
    if (this.entries.has(key)) return;
    // A view into a larger received chunk would keep all of the chunk alive: cache a copy of just the entry.
    if (data.buffer.byteLength > data.length * 2) data = Buffer.from(data);
    this.entries.set(key, data);
    this.bytes += data.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  get(ledgerId: number, entryId: number): Buffer | undefined {
    return this.entries.get(EntryCache.key(ledgerId, entryId));
  }

  /** Drops every entry of a ledger (deleted or trimmed). */
  dropLedger(ledgerId: number): void {
    const prefix = `${ledgerId}:`;
    for (const [k, v] of this.entries) {
      if (!k.startsWith(prefix)) continue;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  get sizeBytes(): number {
    return this.bytes;
  }
}
