// Multipart parts from chunks of any size: each at least the part size but the last, bytes unchanged.
import { describe, expect, it } from 'vitest';
import { coalesceParts } from '../../../objectstore/internal.js';

async function* chunks(sizes: number[]): AsyncGenerator<Buffer> {
  let n = 0;
  for (const size of sizes) yield Buffer.from(Array.from({ length: size }, () => n++ & 0xff));
}

async function parts(sizes: number[], partSize: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of coalesceParts(chunks(sizes), partSize)) out.push(p);
  return out;
}

describe('coalesceParts', () => {
  it('cuts at chunk boundaries once a part reaches the part size', async () => {
    expect((await parts([3, 3, 3, 3], 5)).map((p) => p.length)).toEqual([6, 6]);
    expect((await parts([3, 3, 3], 5)).map((p) => p.length)).toEqual([6, 3]);
    expect((await parts([5, 5, 1], 5)).map((p) => p.length)).toEqual([5, 5, 1]);
    expect((await parts([12], 5)).map((p) => p.length)).toEqual([12]);
    expect((await parts([1, 0, 1], 5)).map((p) => p.length)).toEqual([2]);
    expect(await parts([], 5)).toEqual([]);
    expect(await parts([0, 0], 5)).toEqual([]);
  });

  it('keeps every byte in order', async () => {
    const sizes = [7, 1, 300, 2, 64, 64, 5];
    const whole = Buffer.concat(await parts(sizes, 100));
    expect(whole).toEqual(Buffer.from(Array.from({ length: 443 }, (_, i) => i & 0xff)));
  });

  it('refuses chunks that are not bytes', async () => {
    async function* bad(): AsyncGenerator<Buffer> {
      yield 'text' as unknown as Buffer;
    }
    await expect((async () => {
      for await (const _ of coalesceParts(bad(), 5)) { /* drain */ }
    })()).rejects.toBeInstanceOf(TypeError);
  });
});
