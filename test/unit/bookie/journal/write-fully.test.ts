// writeFully continues after short writes until every byte of every buffer is at its offset.
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { writeFully } from '../../../../bookie/journal/journal-sync.js';

/** A handle whose writev writes at most `step` bytes per call into `disk`. */
function shortWriter(disk: Buffer, step: number): { handle: FileHandle; calls: number[] } {
  const calls: number[] = [];
  const handle = {
    writev: async (buffers: Buffer[], position: number) => {
      const all = Buffer.concat(buffers).subarray(0, step);
      all.copy(disk, position);
      calls.push(position);
      return { bytesWritten: all.length, buffers };
    },
  } as unknown as FileHandle;
  return { handle, calls };
}

describe('writeFully', { timeout: 15_000 }, () => {
  it('finishes short writes across buffer boundaries, empty buffers included', async () => {
    const disk = Buffer.alloc(40);
    const { handle, calls } = shortWriter(disk, 7);
    const buffers = [Buffer.from('abc'), Buffer.alloc(0), Buffer.from('defghijkl'), Buffer.from('mnopqrstuvwxyz')];
    await writeFully(handle, buffers, 5, 26);
    expect(disk.subarray(5, 31).toString()).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(disk.subarray(0, 5)).toEqual(Buffer.alloc(5));
    expect(calls).toEqual([5, 12, 19, 26]);
  });

  it('fails instead of looping when a write makes no progress', async () => {
    const { handle } = shortWriter(Buffer.alloc(40), 0);
    await expect(writeFully(handle, [Buffer.from('abc')], 0, 3)).rejects.toThrow(/no progress at offset 0/);
  });
});
