// Retention picks whole, acknowledged, closed ledgers past the retention time or size.
import { describe, expect, it } from 'vitest';
import { ledgersToTrim } from '../../../broker/partition/retention.js';

const hour = 3600_000;
const now = 100 * hour;
const ledger = (id: number, entries: number | undefined, size: number, closedHoursAgo: number) => ({ ledgerId: id, entries, size, createdAt: now - closedHoursAgo * hour - hour, closedAt: entries === undefined ? undefined : now - closedHoursAgo * hour });

describe('retention', () => {
  const ledgers = [ledger(1, 10, 100, 30), ledger(2, 10, 100, 20), ledger(3, 10, 100, 2), ledger(4, undefined, 0, 0)];
  const policy = { retentionMs: 24 * hour, retentionBytes: 1000 };

  it('deletes acknowledged ledgers older than the retention time, never the current one', () => {
    expect(ledgersToTrim(ledgers, { ledgerId: 4, entryId: -1 }, policy, now)).toBe(1);
    expect(ledgersToTrim(ledgers, undefined, { ...policy, retentionMs: hour }, now)).toBe(3);
  });

  it('keeps what the slowest subscription has not acknowledged', () => {
    expect(ledgersToTrim(ledgers, { ledgerId: 1, entryId: 8 }, policy, now)).toBeUndefined();
    expect(ledgersToTrim(ledgers, { ledgerId: 1, entryId: 9 }, policy, now)).toBe(1);
    expect(ledgersToTrim(ledgers, { ledgerId: 2, entryId: 3 }, { ...policy, retentionMs: 0 }, now)).toBe(1);
  });

  it('deletes the oldest acknowledged ledgers once their bytes pass the retention size', () => {
    expect(ledgersToTrim(ledgers, undefined, { retentionMs: 1000 * hour, retentionBytes: 150 }, now)).toBe(2);
    expect(ledgersToTrim(ledgers, undefined, { retentionMs: 1000 * hour, retentionBytes: 300 }, now)).toBeUndefined();
  });
});
