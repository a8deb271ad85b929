// crc32cCombine equals crc32c of the concatenation, for empty, tiny, odd and large parts.
import { randomBytes } from 'node:crypto';
import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { crc32cCombine } from '../../../../bookie/journal/crc32c-combine.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';

describe('crc32cCombine', () => {
  it('equals the crc of A ‖ B for edge lengths', () => {
    for (const [a, b] of [[0, 0], [0, 1], [1, 0], [1, 1], [25, 0], [25, 1], [25, 65_536], [17, 255], [3, 1 << 20], [100, 5 * 1024 * 1024 + 7]] as const) {
      const A = randomBytes(a);
      const B = randomBytes(b);
      expect(crc32cCombine(crc32c(A), crc32c(B), b), `${a} + ${b}`).toBe(crc32c(Buffer.concat([A, B])) >>> 0);
    }
  });

  it('equals the crc of A ‖ B for 500 random splits of random buffers', () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 500; i++) {
      const whole = randomBytes(random.int(70_000));
      const at = random.int(whole.length + 1);
      const [A, B] = [whole.subarray(0, at), whole.subarray(at)];
      expect(crc32cCombine(crc32c(A), crc32c(B), B.length)).toBe(crc32c(whole) >>> 0);
    }
  });

  it('stays consistent past 512 MiB: appending 2^29 bytes equals appending 2^28 twice', () => {
    // A block's crc for big lengths, built by doubling from 1 MiB of zeros (each step a checked length).
    let zeros = crc32c(Buffer.alloc(1 << 20));
    for (let length = 1 << 20; length < 1 << 28; length *= 2) zeros = crc32cCombine(zeros, zeros, length);
    const zeros2 = crc32cCombine(zeros, zeros, 1 << 28); // 2^29 zero bytes
    const a = crc32c(randomBytes(100));
    expect(crc32cCombine(a, zeros2, 2 ** 29)).toBe(crc32cCombine(crc32cCombine(a, zeros, 2 ** 28), zeros, 2 ** 28));
    expect(crc32cCombine(a, crc32cCombine(zeros2, zeros2, 2 ** 29), 2 ** 30)).toBe(crc32cCombine(crc32cCombine(a, zeros2, 2 ** 29), zeros2, 2 ** 29));
  });

  it('refuses a negative or fractional length', () => {
    expect(() => crc32cCombine(1, 2, -1)).toThrow(RangeError);
    expect(() => crc32cCombine(1, 2, 1.5)).toThrow(RangeError);
  });

  it('a changed byte in B changes the combined crc', () => {
    const A = randomBytes(25);
    const B = randomBytes(4096);
    const before = crc32cCombine(crc32c(A), crc32c(B), B.length);
    B[1000] = B[1000]! ^ 0x01;
    expect(crc32cCombine(crc32c(A), crc32c(B), B.length)).not.toBe(before);
  });
});
