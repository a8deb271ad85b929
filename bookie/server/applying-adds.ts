// Adds whose journal record is durable and that are being applied to ledger storage, counted per
// ledger, so that a fence can wait until every add journaled before it is applied (and a checkpoint
// until everything journaled so far is). A counter, not a promise per add: the fast path of an
// application finishes within the microtasks that follow its journal sync.
export class ApplyingAdds {
  private readonly perLedger = new Map<number, number>();
  private total = 0;
  private waiters: Array<{ readonly ledgerId: number | undefined; readonly resolve: () => void }> = [];

  begin(ledgerId: number): void {
    this.perLedger.set(ledgerId, (this.perLedger.get(ledgerId) ?? 0) + 1);
    this.total++;
  }

  end(ledgerId: number): void {
    const left = this.perLedger.get(ledgerId)! - 1;
    if (left === 0) this.perLedger.delete(ledgerId);
    else this.perLedger.set(ledgerId, left);
    this.total--;
    if (this.waiters.length > 0) this.wake();
  }

  /** Resolves once no add of `ledgerId` — of any ledger, when omitted — is being applied. */
  idle(ledgerId?: number): Promise<void> {
    if (this.isIdle(ledgerId)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ledgerId, resolve }));
  }

  private isIdle(ledgerId: number | undefined): boolean {
    return ledgerId === undefined ? this.total === 0 : !this.perLedger.has(ledgerId);
  }

  private wake(): void {
    const waiting: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (this.isIdle(waiter.ledgerId)) waiter.resolve();
      else waiting.push(waiter);
    }
    this.waiters = waiting;
  }
}
