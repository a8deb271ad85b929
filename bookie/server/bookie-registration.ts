// Keeps the bookie registered under `/bookies/{id}`, bound to a session: writers pick ensembles from
// these keys. A lost session is replaced and the key written again; a key left by a previous process
// of the same bookie is waited out (it vanishes with that process's session).
import { Backoff, delay, type Logger } from '../../common/index.js';
import { KeyExistsError, keys, jsonValue, type MetadataStore, type Session } from '../../metadata/index.js';

export interface BookieAdvert {
  address: string;
  metricsUrl?: string;
  instanceId: string;
}

export class BookieRegistration {
  private session: Session | undefined;
  private stopped = false;
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 2000 });

  constructor(
    private readonly store: MetadataStore,
    private readonly bookieId: string,
    private readonly advert: BookieAdvert,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  /** Registers, waiting up to `timeoutMs` for a stale registration of this id to expire. */
  async start(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.register();
        return;
      } catch (err) {
        if (!(err instanceof KeyExistsError) || Date.now() > deadline) throw err;
        this.log.info({ bookieId: this.bookieId }, 'waiting for the previous registration of this bookie to expire');
        await delay(Math.min(500, this.ttlMs / 4));
      }
    }
  }

  private async register(): Promise<void> {
    const session = await this.store.createSession({ ttlMs: this.ttlMs });
    try {
      await this.store.put(keys.bookie(this.bookieId), jsonValue(this.advert), { expectedVersion: 'absent', session });
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    }
    this.session = session;
    session.once('expired', () => void this.renew());
  }

  private async renew(): Promise<void> {
    this.log.warn({ bookieId: this.bookieId }, 'bookie registration session expired; registering again');
    while (!this.stopped) {
      try {
        await this.register();
        this.backoff.reset();
        this.log.info({ bookieId: this.bookieId }, 'bookie registered again');
        return;
      } catch (err) {
        this.log.warn({ err, bookieId: this.bookieId }, 'bookie registration failed; retrying');
        await delay(this.backoff.next());
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.session?.close().catch(() => undefined);
  }
}
