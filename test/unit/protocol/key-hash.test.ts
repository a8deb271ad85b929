// murmur3 against published reference values, and routing stability.
import { describe, expect, it } from 'vitest';
import { murmur3, partitionForKey } from '../../../protocol/index.js';

describe('murmur3 (x86, 32-bit)', () => {
  it('matches reference values', () => {
    expect(murmur3(Buffer.from(''), 0)).toBe(0);
    expect(murmur3(Buffer.from(''), 1)).toBe(0x514e28b7);
    expect(murmur3(Buffer.from(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0)).toBe(0x76293b50);
    expect(murmur3(Buffer.from([0x21, 0x43, 0x65, 0x87]), 0)).toBe(0xf55b516b);
    expect(murmur3(Buffer.from([0x21, 0x43, 0x65]), 0)).toBe(0x7e4a8634);
    expect(murmur3(Buffer.from([0x21, 0x43]), 0)).toBe(0xa0f7b07a);
    expect(murmur3(Buffer.from([0x21]), 0)).toBe(0x72661cf4);
    expect(murmur3(Buffer.from('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3(Buffer.from('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('routes a key to the same partition every time', () => {
    const p = partitionForKey('order-17', 8);
    for (let i = 0; i < 10; i++) expect(partitionForKey('order-17', 8)).toBe(p);
    expect(p).toBe(murmur3(Buffer.from('order-17')) % 8);
  });
});
