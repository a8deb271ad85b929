// One entry being written: which bookies of its current write set have it, and who waits for it.

export class PendingAdd {
  /** Bookies of the entry's current write set that answered OK. */
  readonly acked = new Set<string>();
  settled = false;

  constructor(
    readonly entryId: number,
    readonly payload: Buffer,
    readonly crc: number,
    private readonly resolveFn: (entryId: number) => void,
    private readonly rejectFn: (err: Error) => void,
  ) {}

  confirm(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(this.entryId);
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }
}
