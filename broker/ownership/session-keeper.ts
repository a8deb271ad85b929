// The broker's session and what happens to its partitions when the session is in doubt (design.md,
// "Fencing, not the session, is the guard"):
// - suspended (the store cannot confirm the lease): no new partitions are taken (the router checks),
//   owned ones keep serving produce while the bookies accept the writes; after 3 × TTL without the
//   store, every partition is let go without writing anything — a new owner fences and recovers;
// - expired (the lease is gone): a new session, the broker registered again, and each partition
//   re-bound in one transaction on its old ownership key — or let go if another broker got there.
// Correctness never depends on these timings: owner-epoch compares and fences decide.
import { Backoff, delay, type Logger } from '../../common/index.js';
import type { MetadataStore, Session } from '../../metadata/index.js';

export interface SessionKeeperHooks {
  /** Registers the broker under the new session. */
  register(session: Session): Promise<void>;
  /** Re-binds every partition to the new session; lets go of those it cannot. */
  rebindAll(session: Session): Promise<void>;
  /** Lets go of every partition without writing to the store. */
  abandonAll(reason: string): void;
}

export class SessionKeeper {
  private current: Session | undefined;
  private abandonTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: MetadataStore,
    private readonly ttlMs: number,
    private readonly hooks: SessionKeeperHooks,
    private readonly log: Logger,
  ) {}

  get session(): Session | undefined {
    return this.current;
  }

  async start(): Promise<Session> {
    const session = await this.store.createSession({ ttlMs: this.ttlMs });
    this.watch(session);
    return session;
  }

  private watch(session: Session): void {
    this.current = session;
    session.on('suspended', () => {
      this.log.warn({ graceMs: 3 * this.ttlMs }, 'metadata store unreachable: serving owned partitions, taking no new ones');
      clearTimeout(this.abandonTimer);
      this.abandonTimer = setTimeout(() => this.hooks.abandonAll(`metadata store unreachable for ${3 * this.ttlMs} ms`), 3 * this.ttlMs);
      this.abandonTimer.unref();
    });
    session.on('resumed', () => {
      this.log.info('metadata store reachable again; the session held');
      clearTimeout(this.abandonTimer);
    });
    session.on('expired', () => void this.replace());
  }

  /** A new session, registration and re-bound partitions, retried until the store answers. */
  private async replace(): Promise<void> {
    const backoff = new Backoff({ initialMs: 200, maxMs: 2000 });
    while (!this.stopped) {
      try {
        // A session made by an earlier attempt is kept while it lives: what was registered and
        // re-bound under it stays valid.
        const reuse = this.current && this.current.state !== 'expired' && this.current.state !== 'closed' ? this.current : undefined;
        const session = reuse ?? (await this.store.createSession({ ttlMs: this.ttlMs }));
        if (!reuse) this.watch(session);
        clearTimeout(this.abandonTimer);
        await this.hooks.register(session);
        await this.hooks.rebindAll(session);
        this.log.info('new session: partitions re-bound');
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'cannot replace the expired session yet');
        await delay(backoff.next());
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.abandonTimer);
    await this.current?.close().catch(() => undefined);
  }
}
