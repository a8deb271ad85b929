// DedupState: verdicts on resends (stored, in flight, re-batched), the positions of duplicates, and rebuilding the
// state after a crash from a snapshot plus the log tail, read through batch headers only.
import { describe, it, expect } from 'vitest';
import { DedupState } from '../../../../broker/dedup/dedup-state.js';
import {
  decodeMessageBatchHeader,
  encodeMessageBatch,
  type MessageBatchHeader,
} from '../../../../protocol/index.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';

const header = (producerName: string, firstSequenceId: number, messageCount: number): MessageBatchHeader => ({
  compression: 0,
  producerName,
  firstSequenceId,
  publishTime: 0,
  messageCount,
  payloadLength: 15 * messageCount,
});

describe('DedupState verdicts', () => {
  it('an unknown producer is new; a stored batch is a duplicate with the position of its first message', () => {
    const d = new DedupState();
    expect(d.check('p', 10, 14)).toEqual({ status: 'new' });
    d.markPending('p', 14);
    d.record('p', 14, { ledgerId: 7, entryId: 3, batchIndex: 4 });
    expect(d.lastSequenceId('p')).toBe(14);
    expect(d.check('p', 10, 14)).toEqual({ status: 'duplicate', position: { ledgerId: 7, entryId: 3, batchIndex: 0 } });
    expect(d.check('p', 12)).toEqual({ status: 'duplicate', position: { ledgerId: 7, entryId: 3, batchIndex: 2 } });
    expect(d.check('p', 9)).toEqual({ status: 'duplicate' }); // an older batch: stored, position not kept
    expect(d.check('p', 15, 19)).toEqual({ status: 'new' });
    expect(d.check('q', 0)).toEqual({ status: 'new' });
  });

  it('a resend of a batch still being written is in flight until recorded, then a duplicate', () => {
    const d = new DedupState();
    d.record('p', 14, { ledgerId: 7, entryId: 3, batchIndex: 4 });
    d.markPending('p', 19);
    expect(d.check('p', 15, 19)).toEqual({ status: 'in-flight' });
    expect(d.check('p', 20, 22)).toEqual({ status: 'new' });
    d.markPending('p', 22);
    expect(d.check('p', 20, 22)).toEqual({ status: 'in-flight' });
    d.record('p', 19, { ledgerId: 7, entryId: 4, batchIndex: 4 });
    expect(d.check('p', 15, 19)).toEqual({ status: 'duplicate', position: { ledgerId: 7, entryId: 4, batchIndex: 0 } });
    expect(d.check('p', 20, 22)).toEqual({ status: 'in-flight' });
    d.discardPending(); // the write failed, and everything queued behind it
    expect(d.check('p', 20, 22)).toEqual({ status: 'new' });
  });

  it('a re-batched resend straddling stored or in-flight ids is an overlap', () => {
    const d = new DedupState();
    d.record('p', 14, { ledgerId: 1, entryId: 0, batchIndex: 4 });
    expect(d.check('p', 12, 16)).toEqual({ status: 'overlap' });
    d.markPending('p', 19);
    expect(d.check('p', 18, 21)).toEqual({ status: 'overlap' });
    expect(d.check('p', 14, 16)).toEqual({ status: 'overlap' });
  });

  it('recording a lower sequence id changes nothing (replaying what a snapshot covers is harmless)', () => {
    const d = new DedupState();
    d.record('p', 14, { ledgerId: 2, entryId: 5, batchIndex: 0 });
    d.record('p', 9, { ledgerId: 2, entryId: 1, batchIndex: 0 });
    expect(d.lastSequenceId('p')).toBe(14);
    expect(d.check('p', 14)).toEqual({ status: 'duplicate', position: { ledgerId: 2, entryId: 5, batchIndex: 0 } });
    expect(d.covered).toEqual({ ledgerId: 2, entryId: 5 });
  });

  it('refuses anonymous producers, bad ranges, and pending ids that do not grow', () => {
    const d = new DedupState();
    expect(() => d.check('', 1)).toThrow(RangeError);
    expect(() => d.check('p', -1)).toThrow(RangeError);
    expect(() => d.check('p', 5, 4)).toThrow(RangeError);
    expect(() => d.record('', 1, { ledgerId: 1, entryId: 0, batchIndex: 0 })).toThrow(RangeError);
    d.markPending('p', 5);
    expect(() => d.markPending('p', 5)).toThrow(RangeError);
  });
});

describe('DedupState from batch headers', () => {
  it('a named batch with sequence ids records its last message; others only move the covered position', () => {
    const d = new DedupState();
    d.applyBatchHeader(header('p', 100, 3), { ledgerId: 4, entryId: 0 });
    d.applyBatchHeader(header('', -1, 2), { ledgerId: 4, entryId: 1 });
    d.applyBatchHeader(header('q', -1, 2), { ledgerId: 9, entryId: 0 });
    expect(d.lastSequenceId('p')).toBe(102);
    expect(d.lastSequenceId('q')).toBe(-1);
    expect(d.producerCount).toBe(1);
    expect(d.check('p', 100, 102)).toEqual({ status: 'duplicate', position: { ledgerId: 4, entryId: 0, batchIndex: 0 } });
    expect(d.covered).toEqual({ ledgerId: 9, entryId: 0 });
  });

  it('snapshot plus replay of the log tail rebuilds exactly the live state', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new SeededRandom(seed);
      // A log of real encoded batches from three producers, an anonymous one and one without sequence ids.
      const log: { at: { ledgerId: number; entryId: number }; entry: Buffer }[] = [];
      const next = new Map<string, number>([['a', 0], ['b', 1000], ['c', 7]]);
      let ledgerId = 3;
      let entryId = 0;
      for (let i = 0; i < 60; i++) {
        if (rng.int(8) === 0) [ledgerId, entryId] = [ledgerId + 1 + rng.int(3), 0];
        const who = rng.pick(['a', 'b', 'c', '', 'noseq']);
        const count = 1 + rng.int(4);
        const seq = next.get(who);
        if (seq !== undefined) next.set(who, seq + count + rng.int(2)); // sequence ids grow, sometimes with gaps
        const values = Array.from({ length: count }, () => ({ value: Buffer.from([i]) }));
        const entry = Buffer.concat(encodeMessageBatch({ producerName: who, firstSequenceId: seq ?? -1, publishTime: i }, values));
        log.push({ at: { ledgerId, entryId: entryId++ }, entry });
      }
      const live = new DedupState();
      const cut = rng.int(log.length);
      let snapshot = live.snapshot();
      log.forEach(({ at, entry }, i) => {
        live.applyBatchHeader(decodeMessageBatchHeader(entry), at);
        if (i === cut) snapshot = live.snapshot();
      });
      const restored = DedupState.fromSnapshot(snapshot);
      const from = restored.covered;
      for (const { at, entry } of log) {
        if (from !== undefined && (at.ledgerId < from.ledgerId || (at.ledgerId === from.ledgerId && at.entryId <= from.entryId))) continue;
        restored.applyBatchHeader(decodeMessageBatchHeader(entry), at);
      }
      expect(restored.snapshot().toString('hex'), `seed ${seed}`).toBe(live.snapshot().toString('hex'));
      for (const [who, upTo] of next) {
        for (let s = Math.max(0, upTo - 40); s < upTo + 3; s++) {
          // Same verdict; a position the rebuilt state names is the live one (it may know fewer: only what it replayed).
          const [r, l] = [restored.check(who, s), live.check(who, s)];
          if (r.status !== l.status) expect(r.status, `seed ${seed} ${who}:${s}`).toBe(l.status);
          if (r.status === 'duplicate' && r.position && l.status === 'duplicate') expect(r.position, `seed ${seed} ${who}:${s}`).toEqual(l.position);
        }
      }
      // Replaying the whole log again over the rebuilt state changes nothing.
      for (const { at, entry } of log) restored.applyBatchHeader(decodeMessageBatchHeader(entry), at);
      expect(restored.snapshot().equals(live.snapshot()), `seed ${seed}`).toBe(true);
    }
  });
});

describe('DedupState positions of resent batches', () => {
  it('answers a resend of any of the last 64 batches with where it is stored', () => {
    const state = new DedupState();
    for (let b = 0; b < 100; b++) state.record('p', b * 3 + 2, { ledgerId: 7, entryId: b, batchIndex: 2 });
    expect(state.check('p', 99 * 3, 99 * 3 + 2)).toEqual({ status: 'duplicate', position: { ledgerId: 7, entryId: 99, batchIndex: 0 } });
    expect(state.check('p', 40 * 3 + 1, 40 * 3 + 2)).toEqual({ status: 'duplicate', position: { ledgerId: 7, entryId: 40, batchIndex: 1 } });
    expect(state.check('p', 10 * 3, 10 * 3 + 2)).toEqual({ status: 'duplicate' });
  });
});
