// EntryRanges and BatchAcks against plain models: a Set of entry ids, and an array of booleans.
import { describe, it, expect } from 'vitest';
import { BatchAcks } from '../../../../broker/subscriptions/batch-acks.js';
import { EntryRanges } from '../../../../broker/subscriptions/entry-ranges.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';

function rangesOf(r: EntryRanges): [number, number][] {
  const out: [number, number][] = [];
  r.forEach((s, e) => out.push([s, e]));
  return out;
}

/** The canonical ranges of a set: sorted, disjoint, adjacent ones merged. */
function rangesOfSet(set: Set<number>): [number, number][] {
  const ids = [...set].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const id of ids) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === id - 1) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

describe('EntryRanges', () => {
  it('merges neighbours: 1, 3, then 2 makes one range', () => {
    const r = new EntryRanges();
    expect([r.add(1), r.add(3), r.add(1)]).toEqual([true, true, false]);
    expect(rangesOf(r)).toEqual([[1, 1], [3, 3]]);
    expect(r.add(2)).toBe(true);
    expect(rangesOf(r)).toEqual([[1, 3]]);
    expect(r.rangeCount).toBe(1);
  });

  it('random adds, removals and counts match a Set', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rng = new SeededRandom(seed);
      const r = new EntryRanges();
      const model = new Set<number>();
      let floor = -1;
      for (let step = 0; step < 80; step++) {
        if (rng.int(10) === 0) {
          floor += rng.int(6);
          r.removeThrough(floor);
          for (const id of model) if (id <= floor) model.delete(id);
        } else {
          const id = floor + 1 + rng.int(40);
          const added = r.add(id);
          if (added === model.has(id)) expect(added, `seed ${seed}`).toBe(!model.has(id));
          model.add(id);
        }
        const [actual, expected] = [JSON.stringify(rangesOf(r)), JSON.stringify(rangesOfSet(model))];
        if (actual !== expected) expect(actual, `seed ${seed} step ${step}`).toBe(expected);
        const probe = floor + rng.int(45);
        if (r.has(probe) !== model.has(probe)) expect(r.has(probe), `seed ${seed} has ${probe}`).toBe(model.has(probe));
        const from = floor + rng.int(40);
        const to = from + rng.int(20);
        const count = [...model].filter((id) => id >= from && id <= to).length;
        if (r.countIn(from, to) !== count) expect(r.countIn(from, to), `seed ${seed} countIn`).toBe(count);
      }
    }
  });

  it('shiftFirst removes and returns the first range end', () => {
    const r = new EntryRanges();
    for (const id of [4, 5, 9]) r.add(id);
    expect(r.firstStart).toBe(4);
    expect(r.shiftFirst()).toBe(5);
    expect(rangesOf(r)).toEqual([[9, 9]]);
    expect(r.lastEnd).toBe(9);
  });
});

describe('BatchAcks', () => {
  it('counts set bits, detects a full batch and round trips through its bytes', () => {
    const b = new BatchAcks(10);
    expect([b.set(3), b.set(3), b.set(9)]).toEqual([true, false, true]);
    expect([b.has(3), b.has(4), b.ackedCount, b.unackedCount, b.full]).toEqual([true, false, 2, 8, false]);
    expect(Buffer.from(b.bytes()).toString('hex')).toBe('0802');
    const copy = BatchAcks.fromBytes(10, b.bytes())!;
    expect([copy.has(3), copy.has(9), copy.ackedCount]).toEqual([true, true, 2]);
    expect(b.setThrough(9)).toBe(8);
    expect(b.full).toBe(true);
  });

  it('refuses set padding bits', () => {
    expect(BatchAcks.fromBytes(10, Uint8Array.from([0, 0x04]))).toBeUndefined();
    expect(BatchAcks.fromBytes(16, Uint8Array.from([0, 0x80]))?.ackedCount).toBe(1);
  });
});
