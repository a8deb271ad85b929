// ledgerOrderOf reads the managed ledger's list: next ledger by id, closed ends, open ledger, unknown ledgers.
import { describe, it, expect } from 'vitest';
import type { LedgerInfo } from '../../../../broker/managed-ledger/index.js';
import { ledgerOrderOf } from '../../../../broker/subscriptions/ledger-order.js';

const info = (ledgerId: number, entries?: number): LedgerInfo => ({ ledgerId, entries, size: 0, createdAt: 0 });

describe('ledgerOrderOf', () => {
  const list = [info(3, 10), info(8, 0), info(20)];
  const order = ledgerOrderOf(() => list);

  it('a closed ledger ends at entries − 1, an empty one at −1, the open one is unbounded', () => {
    expect([order.lastEntryId(3), order.lastEntryId(8), order.lastEntryId(20)]).toEqual([9, -1, undefined]);
  });

  it('a ledger not in the list holds no entries of this log', () => {
    expect([order.lastEntryId(1), order.lastEntryId(5), order.lastEntryId(21)]).toEqual([-1, -1, -1]);
  });

  it('the next ledger is the first listed with a higher id, also from an id no longer listed', () => {
    expect([order.nextLedger(3), order.nextLedger(8), order.nextLedger(20)]).toEqual([8, 20, undefined]);
    expect([order.nextLedger(0), order.nextLedger(4), order.nextLedger(19)]).toEqual([3, 8, 20]);
  });

  it('reads the list afresh on every call', () => {
    const live = [info(1)];
    const o = ledgerOrderOf(() => live);
    expect(o.nextLedger(1)).toBeUndefined();
    live[0] = info(1, 4);
    live.push(info(6));
    expect([o.lastEntryId(1), o.nextLedger(1)]).toEqual([3, 6]);
  });
});
