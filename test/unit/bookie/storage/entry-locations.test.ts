// The per-ledger location arrays: sparse ids, a base that moves down, and the span guard (no I/O).
import { describe, expect, it } from 'vitest';
import { EntryLocations, MAX_ENTRY_ID_SPAN } from '../../../../bookie/storage/internal.js';
import { InvalidArgumentError } from '../../../../bookie/storage/index.js';

describe('EntryLocations', () => {
  it('stores a striped subset of ids, grows in both directions, and replaces a location', () => {
    const locations = new EntryLocations();
    for (let e = 1000; e < 1300; e += 3) locations.set(e, 1, e * 10, e % 7);
    locations.set(5, 2, 50, 5); // below the base
    expect(locations.count).toBe(101);
    expect(locations.maxEntryId).toBe(1297);
    expect(locations.find(1001)).toBe(-1);
    expect(locations.find(4)).toBe(-1);
    const slot = locations.find(1003);
    expect([locations.logIdAt(slot), locations.offsetAt(slot), locations.lengthAt(slot)]).toEqual([1, 10030, 1003 % 7]);
    locations.set(1003, 9, 77, 3);
    const moved = locations.find(1003);
    expect([locations.logIdAt(moved), locations.offsetAt(moved), locations.lengthAt(moved)]).toEqual([9, 77, 3]);
    expect(locations.count).toBe(101);
    const seen: number[] = [];
    locations.forEach((entryId) => seen.push(entryId));
    expect(seen[0]).toBe(5);
    expect(seen.length).toBe(101);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('refuses a span of entry ids it cannot hold, changing nothing', () => {
    const locations = new EntryLocations();
    locations.set(0, 1, 32, 10);
    expect(() => locations.set(MAX_ENTRY_ID_SPAN, 1, 64, 10)).toThrow(InvalidArgumentError);
    expect(locations.count).toBe(1);
    expect(locations.find(0)).toBe(0);
  });
});
