// Message ids: the opaque string's golden form (computed independently of this code), round trips, refusal of
// anything altered or foreign, and the log order of positions.
import { describe, it, expect } from 'vitest';
import {
  compareMessageIds,
  compareMessagePositions,
  decodeMessageId,
  encodeMessageId,
  InvalidMessageIdError,
  MESSAGE_ID_LENGTH,
  type MessageId,
} from '../../../protocol/index.js';
import { prng } from './prng.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('message id golden strings', () => {
  // Bytes: 01 | 00000003 | 0000000102030405 | 000000000000002a | 0007 | CRC32C of those 23 bytes (249e93f7).
  it('encodes version, partition, ledger, entry, batch index and check as 36 base64url characters', () => {
    const id = { partition: 3, ledgerId: 0x0102030405, entryId: 42, batchIndex: 7 };
    expect(encodeMessageId(id)).toBe('AQAAAAMAAAABAgMEBQAAAAAAAAAqAAcknpP3');
    expect(decodeMessageId('AQAAAAMAAAABAgMEBQAAAAAAAAAqAAcknpP3')).toEqual(id);
  });

  it('the extremes of every field', () => {
    expect(encodeMessageId({ partition: 0, ledgerId: 0, entryId: 0, batchIndex: 0 })).toBe('AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAy0End');
    const max = { partition: 0xffffffff, ledgerId: MAX_SAFE, entryId: MAX_SAFE, batchIndex: 65_535 };
    expect(encodeMessageId(max)).toBe('Af____8AH________wAf__________-kgr9i');
    expect(decodeMessageId('Af____8AH________wAf__________-kgr9i')).toEqual(max);
  });
});

describe('message id round trips and refusals', () => {
  it('random ids round trip and are URL-safe', () => {
    const rng = prng(7);
    for (let i = 0; i < 1000; i++) {
      const id: MessageId = {
        partition: rng.int(0, 0xffffffff),
        ledgerId: rng.int(0, 1) === 0 ? rng.int(0, 1000) : Math.floor(rng.next() * MAX_SAFE),
        entryId: rng.int(0, 1) === 0 ? rng.int(0, 1000) : Math.floor(rng.next() * MAX_SAFE),
        batchIndex: rng.int(0, 65_535),
      };
      const s = encodeMessageId(id);
      expect(s).toMatch(/^[A-Za-z0-9_-]{36}$/);
      expect(encodeURIComponent(s)).toBe(s);
      expect(decodeMessageId(s)).toEqual(id);
    }
  });

  it('any single changed character is refused, never read as another message', () => {
    const good = encodeMessageId({ partition: 2, ledgerId: 77, entryId: 1234, batchIndex: 5 });
    for (let i = 0; i < MESSAGE_ID_LENGTH; i++) {
      for (const c of BASE64URL) {
        if (c === good[i]) continue;
        const bad = good.slice(0, i) + c + good.slice(i + 1);
        expect(() => decodeMessageId(bad), bad).toThrow(InvalidMessageIdError);
      }
    }
  });

  it('wrong lengths, other alphabets, padding and non-strings are refused', () => {
    const good = encodeMessageId({ partition: 1, ledgerId: 2, entryId: 3, batchIndex: 4 });
    const bad = ['', good.slice(1), good + 'A', good.slice(0, 35) + '=', good.slice(0, 35) + '+', good.slice(0, 35) + '/', ` ${good.slice(1)}`, '1:2:3:4'];
    for (const s of bad) expect(() => decodeMessageId(s), s).toThrow(InvalidMessageIdError);
    expect(() => decodeMessageId(42 as unknown as string)).toThrow(InvalidMessageIdError);
  });

  it('a correctly checked id of an unknown version, or with an id beyond 2^53−1, is refused', () => {
    expect(() => decodeMessageId('AgAAAAMAAAAAAAAABQAAAAAAAAAGAABy2sl9')).toThrow(/version 2/); // version 2, valid check
    expect(() => decodeMessageId('AQAAAAMAIAAAAAAAAAAAAAAAAAAGAADwDLtp')).toThrow(/ledgerId exceeds/); // ledger 2^53
  });

  it('the encoder refuses values the layout cannot carry', () => {
    const ok = { partition: 0, ledgerId: 0, entryId: 0, batchIndex: 0 };
    for (const bad of [{ partition: -1 }, { partition: 2 ** 32 }, { partition: 0.5 }, { ledgerId: -1 }, { ledgerId: 2 ** 53 }, { entryId: -1 }, { batchIndex: 65_536 }, { batchIndex: -1 }]) {
      expect(() => encodeMessageId({ ...ok, ...bad }), JSON.stringify(bad)).toThrow(RangeError);
    }
  });
});

describe('message id order', () => {
  it('within a partition: ledger, then entry, then batch index — a higher ledger id is later whatever its entries', () => {
    const inLogOrder: MessageId[] = [
      { partition: 0, ledgerId: 7, entryId: 0, batchIndex: 0 },
      { partition: 0, ledgerId: 7, entryId: 0, batchIndex: 1 },
      { partition: 0, ledgerId: 7, entryId: 1, batchIndex: 0 },
      { partition: 0, ledgerId: 7, entryId: 1000, batchIndex: 3 },
      { partition: 0, ledgerId: 12, entryId: 0, batchIndex: 0 },
      { partition: 1, ledgerId: 3, entryId: 0, batchIndex: 0 },
    ];
    const shuffled = [inLogOrder[4], inLogOrder[1], inLogOrder[5], inLogOrder[3], inLogOrder[0], inLogOrder[2]];
    expect(shuffled.sort(compareMessageIds)).toEqual(inLogOrder);
    for (let i = 0; i < inLogOrder.length; i++) {
      for (let j = 0; j < inLogOrder.length; j++) {
        expect(compareMessageIds(inLogOrder[i], inLogOrder[j])).toBe(Math.sign(i - j));
      }
    }
    expect(compareMessagePositions({ ledgerId: 5, entryId: 1000, batchIndex: 9 }, { ledgerId: 9, entryId: 0, batchIndex: 0 })).toBe(-1);
  });
});
