// The index records gathered since the last checkpoint: what the next checkpoint appends to the index log.
// LACs are kept as a set of raised ledgers and encoded at the cut, so an LAC raised on every add costs one record.
import { IndexRecordBuffer } from './index-records.js';
import type { RecordBatch } from './index-log.js';
import type { LedgerTable } from './ledger-table.js';

export class IndexChanges {
  private readonly records = new IndexRecordBuffer();
  private readonly raisedLac = new Set<number>();

  entry(ledgerId: number, entryId: number, logId: number, offset: number, length: number): void {
    this.records.addEntry(ledgerId, entryId, logId, offset, length);
  }

  fenced(ledgerId: number): void {
    this.records.addFence(ledgerId);
  }

  lacRaised(ledgerId: number): void {
    this.raisedLac.add(ledgerId);
  }

  deleted(ledgerId: number): void {
    this.raisedLac.delete(ledgerId);
    this.records.addDelete(ledgerId);
  }

  /** Takes every change so far as one batch (LACs as they are now, after the other records) and starts afresh. */
  cut(table: LedgerTable): RecordBatch {
    for (const ledgerId of this.raisedLac) {
      const lac = table.get(ledgerId)?.lac ?? -1;
      if (lac >= 0) this.records.addLac(ledgerId, lac);
    }
    this.raisedLac.clear();
    return this.records.take();
  }
}
