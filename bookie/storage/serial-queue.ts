// Runs asynchronous operations one at a time, in call order: how the storage keeps writes, syncs,
// checkpoints and compactions from interleaving across awaits (no locks).
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `op` after every earlier operation has settled; its result or error goes to this caller only. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op, op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
