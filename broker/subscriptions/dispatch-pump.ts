// The run loop both dispatchers share: at most one dispatch loop runs; an event (permits, an ack, a consumer
// change) starts it, or wakes it while it waits for new entries; a loop that fails is logged and started again
// after a pause. The loop calls `stopped()` synchronously where it returns (not in a continuation of its
// promise), so an event handled in the same tick finds it stopped and starts it again.
import type { Logger } from '../../common/index.js';

const RETRY_MS = 500;

export class DispatchPump {
  private running = false;
  private closed = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly loop: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Starts the loop, or wakes it from `idle()`. */
  kick(): void {
    if (this.running) {
      this.wakeUp?.();
      return;
    }
    if (this.closed) return;
    this.running = true;
    this.loop().catch((err: unknown) => {
      this.running = false;
      this.log.warn({ err }, 'dispatch failed; retrying');
      setTimeout(() => this.kick(), RETRY_MS).unref();
    });
  }

  /** The loop is returning. */
  stopped(): void {
    this.running = false;
  }

  /** Waits until `tail` settles or the next `kick()`. */
  async idle(tail: Promise<unknown>): Promise<void> {
    await Promise.race([tail, new Promise<void>((resolve) => (this.wakeUp = resolve))]);
    this.wakeUp = undefined;
  }

  /** No loop starts again; a waiting one wakes to see it is closed. */
  close(): void {
    this.closed = true;
    this.wakeUp?.();
  }
}
