// A session of the embedded store: a lease in the same process, renewed by its own timer every TTL/3.
// It ends when its holder closes it, when it is revoked, or when the renewals stop (a stalled loop).
import { SessionBase } from '../session-base.js';

export interface LeaseTable {
  renew(session: EmbeddedSession): boolean;
  revoke(session: EmbeddedSession): Promise<void>;
}

export class EmbeddedSession extends SessionBase {
  private readonly renewTimer: NodeJS.Timeout;
  deadline: number;

  constructor(
    id: string,
    ttlMs: number,
    private readonly table: LeaseTable,
  ) {
    super(id, ttlMs);
    this.deadline = Date.now() + ttlMs;
    this.renewTimer = setInterval(() => {
      if (!this.table.renew(this)) this.stop();
    }, Math.max(1, Math.floor(ttlMs / 3)));
    this.renewTimer.unref();
  }

  private stop(): void {
    clearInterval(this.renewTimer);
  }

  /** Called by the store when the lease ended without its holder closing it. */
  expire(reason: Error): void {
    this.stop();
    this.apply('lost', reason);
  }

  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'expired') return;
    this.stop();
    this.apply('closed');
    await this.table.revoke(this);
  }
}
