// Long-poll waiters for a ledger's last-add-confirmed: answered as soon as the LAC passes what the
// reader has seen, or at their timeout. Bounded: past `maxWaiters` a poll is refused (overloaded).

interface Waiter {
  previousLac: number;
  resolve: (lac: number) => void;
  timer: NodeJS.Timeout;
}

export class LacWaiters {
  private readonly byLedger = new Map<number, Set<Waiter>>();
  private count = 0;

  constructor(private readonly maxWaiters = 10_000) {}

  get size(): number {
    return this.count;
  }

  /** Resolves with the LAC once it exceeds `previousLac` or `timeoutMs` passes; undefined if full. */
  wait(ledgerId: number, previousLac: number, timeoutMs: number, currentLac: () => number): Promise<number> | undefined {
    if (this.count >= this.maxWaiters) return undefined;
    return new Promise((resolve) => {
      let set = this.byLedger.get(ledgerId);
      if (!set) this.byLedger.set(ledgerId, (set = new Set()));
      const waiter: Waiter = {
        previousLac,
        resolve,
        timer: setTimeout(() => {
          this.remove(ledgerId, waiter);
          resolve(currentLac());
        }, timeoutMs),
      };
      set.add(waiter);
      this.count++;
    });
  }

  /** Wakes the waiters of `ledgerId` that `lac` satisfies. */
  advanced(ledgerId: number, lac: number): void {
    const set = this.byLedger.get(ledgerId);
    if (!set) return;
    for (const w of set) {
      if (lac <= w.previousLac) continue;
      clearTimeout(w.timer);
      this.remove(ledgerId, w);
      w.resolve(lac);
    }
  }

  /** Answers every waiter now (shutdown). */
  releaseAll(currentLac: (ledgerId: number) => number): void {
    for (const [ledgerId, set] of this.byLedger) {
      for (const w of set) {
        clearTimeout(w.timer);
        w.resolve(currentLac(ledgerId));
      }
    }
    this.byLedger.clear();
    this.count = 0;
  }

  private remove(ledgerId: number, w: Waiter): void {
    const set = this.byLedger.get(ledgerId);
    if (!set?.delete(w)) return;
    this.count--;
    if (set.size === 0) this.byLedger.delete(ledgerId);
  }
}
