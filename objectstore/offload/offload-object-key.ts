// Names of offloaded-ledger objects: `{prefix}{ledgerId, 16 digits}-{attempt uuid}`, unique per
// attempt so that two offloaders of one ledger never write the same key, and flat and fixed-width so
// that every store lists them in the same (byte) order.
import { randomUUID } from 'node:crypto';
import { validateListPrefix } from '../object-key.js';

export const DEFAULT_OFFLOAD_PREFIX = 'offloaded-ledgers/';
const KEY = /^(\d{16})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A prefix must be '' or end with '/', so that it names a folder of its own. */
export function checkOffloadPrefix(prefix: string): void {
  validateListPrefix(prefix);
  if (prefix !== '' && !prefix.endsWith('/')) throw new RangeError(`offload prefix ${JSON.stringify(prefix)} must end with '/'`);
}

/** The common start of every object key of one ledger. */
export function offloadObjectPrefixOf(prefix: string, ledgerId: number): string {
  return `${prefix}${String(ledgerId).padStart(16, '0')}-`;
}

export function newOffloadObjectKey(prefix: string, ledgerId: number): string {
  return `${offloadObjectPrefixOf(prefix, ledgerId)}${randomUUID()}`;
}

/** The ledger and attempt a key under `prefix` names; undefined for keys this offloader did not make. */
export function parseOffloadObjectKey(prefix: string, key: string): { ledgerId: number; attempt: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = KEY.exec(key.slice(prefix.length));
  if (!m) return undefined;
  const ledgerId = Number(m[1]);
  return Number.isSafeInteger(ledgerId) ? { ledgerId, attempt: m[2]! } : undefined;
}
