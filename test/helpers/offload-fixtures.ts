// Offloaded-ledger objects built in memory for unit tests: deterministic entries and their encoding.
import { crc32c } from '@node-rs/crc32';
import type { LedgerEntryData } from '../../objectstore/index.js';
import { OffloadEncoder, type OffloadEncoderOptions } from '../../objectstore/internal.js';
import { payloadFor } from './payload.js';

/** Entries 0..n-1 of `ledgerId` with the given payload sizes (payloadFor bytes, their CRC32C). */
export function entriesOf(ledgerId: number, sizes: number[]): LedgerEntryData[] {
  return sizes.map((size, entryId) => {
    const payload = payloadFor(ledgerId, entryId, size);
    return { entryId, crc: crc32c(payload) >>> 0, payload };
  });
}

export async function* batches(entries: LedgerEntryData[], per = 7): AsyncGenerator<LedgerEntryData[]> {
  for (let i = 0; i < entries.length; i += per) yield entries.slice(i, i + per);
}

/** Encodes `entries` as ledger 7 with 4 KiB blocks (unless overridden): the whole object and its summary. */
export async function encodeAll(entries: LedgerEntryData[], options: Partial<OffloadEncoderOptions> = {}) {
  const encoder = new OffloadEncoder({ ledgerId: 7, blockSize: 4096, lastEntryId: entries.length - 1, ...options });
  const chunks: Buffer[] = [];
  for await (const c of encoder.encode(batches(entries))) chunks.push(c);
  return { bytes: Buffer.concat(chunks), summary: encoder.summary, chunks };
}
