// Election of the one broker that runs the load manager: the key /leader/load-manager, created if absent and
// bound to the winner's session, so it disappears with a crashed or partitioned leader and another broker takes
// over within the session TTL plus one check interval. A broker is leader while the key names it and its
// current session (a broker whose session was replaced must win again).
import type { Logger } from '../../common/index.js';
import { jsonValue, keys, KeyExistsError, parseJson, type MetadataStore, type Session } from '../../metadata/index.js';

export interface LeaderValue {
  brokerId: string;
  session: string;
  httpUrl: string;
  since: number;
}

export class LeaderElection {
  private timer: NodeJS.Timeout | undefined;
  private current: LeaderValue | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly store: MetadataStore,
    private readonly self: { brokerId: string; httpUrl: () => string },
    private readonly session: () => Session | undefined,
    private readonly intervalMs: number,
    private readonly log: Logger,
    /** Told whenever leadership of this broker starts or ends. */
    private readonly onChange: (leader: boolean) => void = () => undefined,
  ) {}

  /** The leader as last seen (undefined: none known). */
  get leader(): LeaderValue | undefined {
    return this.current;
  }

  get isLeader(): boolean {
    const s = this.session();
    return this.current !== undefined && this.current.brokerId === this.self.brokerId && s !== undefined && this.current.session === s.id && s.state === 'alive';
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reads the key and stands for election when it is absent. */
  check(): Promise<void> {
    this.checking ??= this.checkNow().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkNow(): Promise<void> {
    const was = this.isLeader;
    try {
      const entry = await this.store.get(keys.loadManagerLeader);
      this.current = entry ? parseJson<LeaderValue>(entry.value) : undefined;
      const session = this.session();
      if (!entry && session?.state === 'alive') {
        const value: LeaderValue = { brokerId: this.self.brokerId, session: session.id, httpUrl: this.self.httpUrl(), since: Date.now() };
        try {
          await this.store.put(keys.loadManagerLeader, jsonValue(value), { expectedVersion: 'absent', session });
          this.current = value;
          this.log.info('elected load manager leader');
        } catch (err) {
          if (!(err instanceof KeyExistsError)) throw err;
          const winner = await this.store.get(keys.loadManagerLeader);
          this.current = winner ? parseJson<LeaderValue>(winner.value) : undefined;
        }
      }
    } catch (err) {
      this.log.debug({ err }, 'load manager election check failed; retrying');
    }
    if (this.isLeader !== was) this.onChange(this.isLeader);
  }
}
