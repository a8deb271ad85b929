// A session on etcd: a lease kept alive by the etcd3 package, watched against its own deadline so the
// holder hears within one TTL that the lease can no longer be confirmed (etcd3 alone waits 2 × TTL).
import type { Etcd3, Lease } from 'etcd3';
import { SessionBase } from '../session-base.js';
import { translateEtcdError } from './etcd-errors.js';

export class EtcdSession extends SessionBase {
  private lastFiredAt = Date.now();
  /** The latest time at which the lease is known to be alive on the server. */
  private confirmedUntil: number;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly lease: Lease,
    id: string,
    ttlMs: number,
    grantedAt: number,
  ) {
    super(id, ttlMs);
    this.confirmedUntil = grantedAt + ttlMs;
    lease.on('keepaliveFired', () => {
      this.lastFiredAt = Date.now();
    });
    lease.on('keepaliveSucceeded', () => {
      this.confirmedUntil = this.lastFiredAt + this.ttlMs;
      this.apply('confirmed');
      this.schedule();
    });
    lease.on('lost', (err) => {
      this.stopTimer();
      this.apply('lost', err);
    });
    this.schedule();
  }

  static async create(client: Etcd3, ttlMs: number): Promise<EtcdSession> {
    const ttlSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    const grantedAt = Date.now();
    const lease = client.lease(ttlSeconds, { autoKeepAlive: true });
    // A lease whose grant fails emits 'lost' too; it is reported through the rejected grant instead.
    lease.on('lost', () => undefined);
    try {
      const id = await lease.grant();
      return new EtcdSession(lease, id, ttlSeconds * 1000, grantedAt);
    } catch (err) {
      lease.release();
      throw translateEtcdError(err, 'lease grant');
    }
  }

  /** Marks the session suspended once the confirmed lifetime runs out without a fresh keep-alive. */
  private schedule(): void {
    this.stopTimer();
    const wait = Math.max(0, this.confirmedUntil - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (Date.now() >= this.confirmedUntil) this.apply('overdue');
    }, wait + 1);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.stopTimer();
    const wasLive = this.state !== 'expired';
    this.apply('closed');
    if (!wasLive) {
      this.lease.release();
      return;
    }
    try {
      await this.lease.revoke();
    } catch (err) {
      // Could not revoke (store unreachable): the lease expires on its own within its TTL.
      this.lease.release();
      const translated = translateEtcdError(err, 'lease revoke', this.id);
      if (translated.name !== 'SessionExpiredError') throw translated;
    }
  }
}
