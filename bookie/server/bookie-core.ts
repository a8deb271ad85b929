// What a bookie does with each command, independent of sockets. Contracts (ledger-protocol.md):
// - An add is answered OK only after its journal record is fdatasync'ed; an identical re-add is OK
//   (after the sync that covers what is stored), different bytes are refused.
// - A fence takes effect at once in memory (later normal adds are refused), is journaled, and is
//   answered only after every add received before it is synced and applied. Fencing is idempotent
//   and can never be undone. Recovery adds are accepted on fenced ledgers.
// - A missing entry is "absent" only where this bookie can vouch for it: a repaired bookie answers
//   UNKNOWN for ledgers that existed before its repair.
import { BookieStatus, READ_ENTRY_OVERHEAD, entryChecksum, type AddEntry, type BookieStatusCode, type LedgerEntry, type ReadEntryRequest, type ReadEntryResponse } from '../../protocol/index.js';
import type { Journal } from '../journal/index.js';
import { EntryExistsDifferentError, type LedgerStorage } from '../storage/index.js';
import type { Cookie } from '../cookie/index.js';
import type { Counter } from 'prom-client';
import { ApplyingAdds } from './applying-adds.js';
import { LacWaiters } from './lac-waiters.js';
import type { BookieMetrics } from './bookie-metrics.js';

export class BookieCore {
  readonly lacWaiters = new LacWaiters();
  /** Synced adds whose application to storage has not finished (fences and checkpoints wait for them). */
  private readonly applying = new ApplyingAdds();
  private readonly normalAdds: Counter.Internal;
  private readonly recoveryAdds: Counter.Internal;

  constructor(
    private readonly journal: Journal,
    private readonly storage: LedgerStorage,
    private readonly cookie: Cookie,
    private readonly metrics: BookieMetrics,
  ) {
    this.normalAdds = metrics.addsTotal.labels({ kind: 'normal' });
    this.recoveryAdds = metrics.addsTotal.labels({ kind: 'recovery' });
  }

  async add(add: AddEntry): Promise<BookieStatusCode> {
    const { ledgerId, entryId, payload } = add;
    if (this.storage.hasEntry(ledgerId, entryId)) {
      const stored = await this.storage.readEntry(ledgerId, entryId);
      if (stored) {
        if (!add.recovery && this.storage.isFenced(ledgerId)) return this.addFailed(BookieStatus.FENCED);
        if (!stored.equals(payload)) return this.addFailed(BookieStatus.ENTRY_EXISTS_DIFFERENT);
        // A resend of stored bytes: a success once the journal has synced everything stored so far.
        await this.journal.appendBatch([]);
        return BookieStatus.OK;
      }
    }
    // The fence check and the journal append happen in one synchronous step: a fence received later
    // is journaled after this add, and its continuation runs after this one's (see fence()).
    if (!add.recovery && this.storage.isFenced(ledgerId)) return this.addFailed(BookieStatus.FENCED);
    await this.journal.record({ type: 'addEntry', ledgerId, entryId, payload, payloadCrc: add.crc });
    this.applying.begin(ledgerId);
    try {
      await this.storage.addEntry(ledgerId, entryId, payload, add.crc);
    } catch (err) {
      if (err instanceof EntryExistsDifferentError) return this.addFailed(BookieStatus.ENTRY_EXISTS_DIFFERENT);
      throw err;
    } finally {
      this.applying.end(ledgerId);
    }
    if (add.lac >= 0) this.raiseLac(ledgerId, add.lac);
    (add.recovery ? this.recoveryAdds : this.normalAdds).inc();
    this.metrics.addBytesTotal.inc(payload.length);
    return BookieStatus.OK;
  }

  private addFailed(status: BookieStatusCode): BookieStatusCode {
    this.metrics.addErrorsTotal.inc({ status: String(status) });
    return status;
  }

  raiseLac(ledgerId: number, lac: number): void {
    const before = this.lac(ledgerId);
    if (lac <= before) return;
    this.storage.updateLac(ledgerId, lac);
    this.lacWaiters.advanced(ledgerId, lac);
  }

  lac(ledgerId: number): number {
    return this.storage.getLac(ledgerId) ?? -1;
  }

  async fence(ledgerId: number): Promise<{ status: BookieStatusCode; lac: number }> {
    if (this.storage.setFenced(ledgerId)) this.metrics.fencedLedgersTotal.inc();
    // Adds accepted before the fence are ahead of it in the journal: this sync covers them, their
    // applications begin before this continuation runs, and the fence is answered once they finished,
    // so its LAC and later reads include them.
    await this.journal.record({ type: 'fence', ledgerId });
    await this.applying.idle(ledgerId);
    return { status: BookieStatus.OK, lac: this.lac(ledgerId) };
  }

  /** Whether this bookie may answer "absent" for the ledger. */
  private vouchesFor(ledgerId: number): boolean {
    const upTo = this.cookie.unknownUpToLedgerId;
    return upTo === undefined || ledgerId > upTo;
  }

  async read(req: ReadEntryRequest): Promise<ReadEntryResponse> {
    const { ledgerId, firstEntryId, lastEntryId, maxBytes } = req;
    const lac = this.lac(ledgerId);
    // maxBytes budgets the encoded response; storage budgets payload bytes only.
    const count = lastEntryId - firstEntryId + 1;
    const payloadBudget = Math.max(0, maxBytes - Math.min(count, 1 + Math.floor(maxBytes / READ_ENTRY_OVERHEAD)) * READ_ENTRY_OVERHEAD);
    const payloads = this.storage.hasLedger(ledgerId) ? await this.storage.readRange(ledgerId, firstEntryId, lastEntryId, payloadBudget) : [];
    if (payloads.length === 0) {
      const status = !this.vouchesFor(ledgerId) ? BookieStatus.UNKNOWN : this.storage.hasLedger(ledgerId) ? BookieStatus.NO_SUCH_ENTRY : BookieStatus.NO_SUCH_LEDGER;
      return { status, ledgerId, lac, entries: [] };
    }
    const entries: LedgerEntry[] = payloads.map((payload, i) => ({ entryId: firstEntryId + i, crc: entryChecksum(payload), payload }));
    return { status: BookieStatus.OK, ledgerId, lac, entries };
  }

  async deleteLedger(ledgerId: number): Promise<BookieStatusCode> {
    await this.journal.record({ type: 'deleteLedger', ledgerId });
    this.storage.deleteLedger(ledgerId);
    return BookieStatus.OK;
  }

  /** Everything synced so far is applied to storage (a checkpoint waits for it before flushing). */
  settled(): Promise<void> {
    return this.applying.idle();
  }
}
