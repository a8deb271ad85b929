// AckSet behaviour, example by example: batch-index acks, the mark-delete position across ledgers, cumulative
// acks, refused acks, seek, the unacked hint.
import { describe, it, expect } from 'vitest';
import { AckSet } from '../../../../broker/subscriptions/ack-set.js';
import { InvalidAckError } from '../../../../broker/subscriptions/errors.js';
import type { LedgerOrder } from '../../../../broker/subscriptions/ledger-order.js';
import { TestLog } from './test-log.js';

const at = (ledgerId: number, entryId: number, batchIndex = 0) => ({ ledgerId, entryId, batchIndex });

describe('AckSet: individual acks down to the batch index', () => {
  it('acking one message of a batch never acks its neighbours; the entry counts once all its indexes are acked', () => {
    const log = new TestLog().add(5, [3, 1]);
    const set = new AckSet(log.order, { ledgerId: 5, entryId: -1 });
    expect(set.ack(at(5, 0, 1), 3)).toBe(true);
    expect([set.isAcked(at(5, 0, 0)), set.isAcked(at(5, 0, 1)), set.isAcked(at(5, 0, 2))]).toEqual([false, true, false]);
    expect(set.markDelete).toEqual({ ledgerId: 5, entryId: -1 });
    expect(set.ack(at(5, 1, 0), 1)).toBe(true);
    expect(set.markDelete).toEqual({ ledgerId: 5, entryId: -1 });
    set.ack(at(5, 0, 0), 3);
    expect(set.markDelete).toEqual({ ledgerId: 5, entryId: -1 });
    set.ack(at(5, 0, 2), 3);
    expect(set.markDelete).toEqual({ ledgerId: 5, entryId: 1 });
    expect(set.rangeCount).toBe(0);
  });

  it('an ack of an acked message, or of one at or before the mark-delete position, changes nothing', () => {
    const log = new TestLog().add(1, [2, 2, 2]);
    const set = new AckSet(log.order, { ledgerId: 1, entryId: 0 });
    expect(set.ack(at(1, 0, 1), 2)).toBe(false);
    expect(set.ack(at(1, 2, 1), 2)).toBe(true);
    expect(set.ack(at(1, 2, 1), 2)).toBe(false);
    const before = set.serialize();
    expect(set.ack(at(1, 0, 0), 2)).toBe(false);
    expect(set.serialize()).toEqual(before);
  });
});

describe('AckSet: the mark-delete position across ledgers', () => {
  it('crosses from the end of a closed ledger to entry −1 of the next id, over empty ledgers', () => {
    const log = new TestLog().add(3, [1, 1], true).add(4, [], true).add(10, [2]);
    const set = new AckSet(log.order, { ledgerId: 3, entryId: -1 });
    set.ack(at(10, 0, 0), 2);
    set.ack(at(3, 1), 1);
    expect(set.markDelete).toEqual({ ledgerId: 3, entryId: -1 });
    set.ack(at(3, 0), 1);
    expect(set.markDelete).toEqual({ ledgerId: 10, entryId: -1 });
    expect(set.isAcked(at(10, 0, 0))).toBe(true);
    expect(set.isAcked(at(10, 0, 1))).toBe(false);
  });

  it('stops at the end of the open ledger, and moves on when told the ledger rolled', () => {
    const log = new TestLog().add(7, [1, 1]);
    const set = new AckSet(log.order, { ledgerId: 7, entryId: -1 });
    set.ack(at(7, 0), 1);
    set.ack(at(7, 1), 1);
    expect(set.markDelete).toEqual({ ledgerId: 7, entryId: 1 });
    log.roll(12, [1]);
    expect(set.markDelete).toEqual({ ledgerId: 7, entryId: 1 });
    set.refresh();
    expect(set.markDelete).toEqual({ ledgerId: 12, entryId: -1 });
    set.ack(at(12, 0), 1);
    expect(set.markDelete).toEqual({ ledgerId: 12, entryId: 0 });
  });

  it('a ledger order that goes backwards is a bug it reports instead of looping', () => {
    const broken: LedgerOrder = { lastEntryId: () => 0, nextLedger: (id) => id - 1 };
    expect(() => new AckSet(broken, { ledgerId: 5, entryId: 0 })).toThrow(/ledger order broken/);
  });
});

describe('AckSet: cumulative acks', () => {
  it('acks everything up to the position, inside a batch only through its index', () => {
    const log = new TestLog().add(2, [1, 1], true).add(6, [2, 4, 1]);
    const set = new AckSet(log.order, { ledgerId: 2, entryId: -1 });
    set.ack(at(6, 2), 1);
    expect(set.ackCumulative(at(6, 1, 1), 4)).toBe(true);
    expect(set.markDelete).toEqual({ ledgerId: 6, entryId: 0 });
    expect([0, 1, 2, 3].map((i) => set.isAcked(at(6, 1, i)))).toEqual([true, true, false, false]);
    expect(set.isAcked(at(6, 2))).toBe(true);
    expect(set.ackCumulative(at(6, 1, 0), 4)).toBe(false);
    expect(set.ackCumulative(at(6, 1, 3), 4)).toBe(true);
    expect(set.markDelete).toEqual({ ledgerId: 6, entryId: 2 });
    expect(set.rangeCount).toBe(0);
  });

  it('a cumulative ack never moves the mark-delete position back', () => {
    const log = new TestLog().add(1, [1, 1, 1]);
    const set = new AckSet(log.order, { ledgerId: 1, entryId: 1 });
    expect(set.ackCumulative(at(1, 0), 1)).toBe(false);
    expect(set.markDelete).toEqual({ ledgerId: 1, entryId: 1 });
  });
});

describe('AckSet: refused acks', () => {
  const log = new TestLog().add(1, [3], true).add(2, [2]);

  it('a batch index outside the batch, a bad batch size, or a contradicting batch size', () => {
    const set = new AckSet(log.order, { ledgerId: 1, entryId: -1 });
    expect(() => set.ack(at(1, 0, 3), 3)).toThrow(InvalidAckError);
    expect(() => set.ack(at(1, 0, 0), 0)).toThrow(InvalidAckError);
    expect(() => set.ack(at(1, 0, -1), 3)).toThrow(InvalidAckError);
    set.ack(at(1, 0, 0), 3);
    expect(() => set.ack(at(1, 0, 1), 2)).toThrow(/acked as a batch of 3/);
    expect(() => set.ack(at(1, 0, 0), 1)).toThrow(/acked as a batch of 3/);
    expect(() => set.ackCumulative(at(1, 0, 1), 5)).toThrow(InvalidAckError);
    expect(set.markDelete).toEqual({ ledgerId: 1, entryId: -1 });
  });

  it('an entry past a closed ledger end, or in a ledger not in the log; but not one already acked', () => {
    const set = new AckSet(log.order, { ledgerId: 1, entryId: -1 });
    expect(() => set.ack(at(1, 1), 1)).toThrow(/ends at entry 0/);
    expect(() => set.ack(at(9, 0), 1)).toThrow(/no entries in this log/);
    expect(() => set.ackCumulative(at(9, 0), 1)).toThrow(InvalidAckError);
    const later = new AckSet(log.order, { ledgerId: 2, entryId: 0 });
    expect(later.ack(at(0, 5), 1)).toBe(false); // a ledger deleted by retention: long acked
  });
});

describe('AckSet: seek and hints', () => {
  it('reset moves the mark-delete position anywhere and forgets acks after it', () => {
    const log = new TestLog().add(1, [1, 1, 1, 1]);
    const set = new AckSet(log.order, { ledgerId: 1, entryId: -1 });
    set.ack(at(1, 3), 1);
    set.ackCumulative(at(1, 1), 1);
    set.reset({ ledgerId: 1, entryId: 0 });
    expect(set.markDelete).toEqual({ ledgerId: 1, entryId: 0 });
    expect([1, 2, 3].map((e) => set.isAcked(at(1, e)))).toEqual([false, false, false]);
  });

  it('unackedCountHint counts the holes up to the last acked message; an entry never acked counts as one', () => {
    const log = new TestLog().add(1, [4, 5, 1, 2], true).add(3, [1, 3]);
    const set = new AckSet(log.order, { ledgerId: 1, entryId: -1 });
    expect(set.unackedCountHint).toBe(0);
    set.ack(at(1, 0, 0), 4); // 3 unacked in (1,0); (1,1) never acked: 1; (1,2) acked; (1,3) never acked: 1
    set.ack(at(1, 2), 1);
    set.ack(at(3, 1, 2), 3); // (3,0) never acked: 1; (3,1): 2 unacked
    expect(set.unackedCountHint).toBe(3 + 1 + 1 + 1 + 2);
    expect(set.rangeCount).toBe(3);
  });
});
