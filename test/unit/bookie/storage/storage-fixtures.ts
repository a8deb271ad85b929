// Helpers for the ledger storage tests: a temp directory per test and deterministic payloads.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-storage-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Bytes that depend on (ledger, entry, salt), with lengths varying from 1 to `maxLength`. */
export function payload(ledgerId: number, entryId: number, maxLength = 400, salt = 0): Buffer {
  let x = (ledgerId * 2654435761 + entryId * 40503 + salt * 97 + 1) >>> 0;
  const next = (): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
  const buf = Buffer.allocUnsafe(1 + (next() % maxLength));
  for (let i = 0; i < buf.length; i++) buf[i] = next() >>> 24;
  return buf;
}

export async function entryLogFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('entrylog-')).sort();
}
