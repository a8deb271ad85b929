// A partition's log for ack-set tests: ledgers (ids growing, not adjacent) of entries with known batch sizes, the
// last one open; its order is read through ledgerOrderOf, as the broker does. Plus a model of the ack state.
import type { LedgerInfo, Position } from '../../../../broker/managed-ledger/index.js';
import { ledgerOrderOf, type LedgerOrder } from '../../../../broker/subscriptions/ledger-order.js';
import type { MessagePosition } from '../../../../protocol/index.js';

export interface TestLedger {
  id: number;
  batchSizes: number[];
  closed: boolean;
}

export class TestLog {
  readonly ledgers: TestLedger[] = [];
  private infos: LedgerInfo[] = [];
  readonly order: LedgerOrder = ledgerOrderOf(() => this.infos);

  /** Adds a ledger after the others; closed ledgers keep their entries, the open one may grow. */
  add(id: number, batchSizes: number[], closed = false): this {
    this.ledgers.push({ id, batchSizes: [...batchSizes], closed });
    this.sync();
    return this;
  }

  append(batchSize: number): void {
    this.ledgers[this.ledgers.length - 1].batchSizes.push(batchSize);
  }

  /** Closes the open ledger and opens a new one (a roll). */
  roll(nextId: number, batchSizes: number[] = []): void {
    this.ledgers[this.ledgers.length - 1].closed = true;
    this.add(nextId, batchSizes);
  }

  batchSize(p: { ledgerId: number; entryId: number }): number {
    return this.ledgers.find((l) => l.id === p.ledgerId)!.batchSizes[p.entryId];
  }

  /** Every message, in log order. */
  messages(): MessagePosition[] {
    const out: MessagePosition[] = [];
    for (const l of this.ledgers) {
      l.batchSizes.forEach((size, entryId) => {
        for (let batchIndex = 0; batchIndex < size; batchIndex++) out.push({ ledgerId: l.id, entryId, batchIndex });
      });
    }
    return out;
  }

  private sync(): void {
    this.infos = this.ledgers.map((l) => ({ ledgerId: l.id, entries: l.closed ? l.batchSizes.length : undefined, size: 0, createdAt: 0 }));
  }
}

export const key = (p: MessagePosition): string => `${p.ledgerId}:${p.entryId}:${p.batchIndex}`;

/** What the ack set must report, computed from the set of acked messages by brute force. */
export function expectedState(log: TestLog, acked: Set<string>): { markDelete: Position; unackedHint: number } {
  const entries: { ledgerId: number; entryId: number; size: number; acked: number }[] = [];
  for (const l of log.ledgers) {
    l.batchSizes.forEach((size, entryId) => {
      let n = 0;
      for (let i = 0; i < size; i++) if (acked.has(key({ ledgerId: l.id, entryId, batchIndex: i }))) n++;
      entries.push({ ledgerId: l.id, entryId, size, acked: n });
    });
  }
  const firstOpen = entries.findIndex((e) => e.acked < e.size);
  const lastLedger = log.ledgers[log.ledgers.length - 1];
  const markDelete =
    firstOpen === -1
      ? { ledgerId: lastLedger.id, entryId: lastLedger.batchSizes.length - 1 }
      : { ledgerId: entries[firstOpen].ledgerId, entryId: entries[firstOpen].entryId - 1 };
  let lastAcked = -1;
  entries.forEach((e, i) => {
    if (e.acked > 0) lastAcked = i;
  });
  let unackedHint = 0;
  if (firstOpen !== -1) {
    for (let i = firstOpen; i <= lastAcked; i++) unackedHint += entries[i].acked === 0 ? 1 : entries[i].size - entries[i].acked;
  }
  return { markDelete, unackedHint };
}
