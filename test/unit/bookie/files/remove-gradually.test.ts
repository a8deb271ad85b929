// Large files are deleted by shrinking them step by step (each step synced: its own small file-system
// commit), then unlinking them; a file that is already gone is no error.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeGradually } from '../../../../bookie/files/index.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-files-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

describe('removeGradually', { timeout: 15_000 }, () => {
  it('shrinks a file one synced step at a time before unlinking it', async () => {
    const file = path.join(dir, 'big.log');
    await fs.writeFile(file, Buffer.alloc(8 * MiB + 123, 1));
    const sizesAtSync: number[] = [];
    await removeGradually(file, { stepBytes: MiB, pauseMs: 1, sync: async (handle) => void sizesAtSync.push((await handle.stat()).size) });
    expect(sizesAtSync).toEqual([7, 6, 5, 4, 3, 2, 1, 0].map((n) => n * MiB + 123));
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('unlinks a file smaller than one step without a pause, and ignores one that is gone', async () => {
    const file = path.join(dir, 'small.log');
    await fs.writeFile(file, Buffer.alloc(1000));
    let syncs = 0;
    const started = performance.now();
    await removeGradually(file, { stepBytes: MiB, pauseMs: 5000, sync: async () => void syncs++ });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(syncs).toBe(0);
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await removeGradually(file);
  });
});
