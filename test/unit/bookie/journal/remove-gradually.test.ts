// Journal files are deleted by shrinking them step by step (each step its own small file-system
// commit), then unlinking them; a file that is already gone is no error.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../common/index.js';
import { removeGradually } from '../../../../bookie/journal/remove-gradually.js';
import { makeTempDir, removeDir } from './journal-test-kit.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

const MiB = 1024 * 1024;

describe('removeGradually', { timeout: 15_000 }, () => {
  it('shrinks a file in steps before unlinking it', async () => {
    const file = path.join(dir, 'big.log');
    await fs.writeFile(file, Buffer.alloc(8 * MiB + 123, 1));
    const sizes = new Set<number>();
    const removal = removeGradually(file, { stepBytes: MiB, pauseMs: 40 });
    await waitFor('the file to shrink', async () => {
      const size = await fs.stat(file).then((s) => s.size, () => -1);
      if (size >= 0) sizes.add(size);
      return size >= 0 && size < 8 * MiB;
    });
    await removal;
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    // Every size seen is the original or a whole number of steps below it.
    for (const size of sizes) expect((8 * MiB + 123 - size) % MiB).toBe(0);
    expect([...sizes].some((size) => size > 0 && size < 8 * MiB)).toBe(true);
  });

  it('removes a file smaller than one step at once, and ignores one that is gone', async () => {
    const file = path.join(dir, 'small.log');
    await fs.writeFile(file, Buffer.alloc(1000));
    await removeGradually(file, { stepBytes: MiB, pauseMs: 1000 });
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await removeGradually(file);
  });
});
