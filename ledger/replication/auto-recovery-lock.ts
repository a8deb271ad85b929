// The single-runner lock of auto-recovery: a key created only if absent and bound to the holder's own
// session, so it vanishes when the holder stops or dies and another process takes it on its next try.
// A holder whose session expired holds nothing any more (its key may be gone): it stops working and
// tries again with a new session.
import { KeyExistsError, jsonValue, keys, parseJson, type MetadataStore, type Session } from '../../metadata/index.js';

export interface LockHolder {
  runner: string;
  session: string;
}

export class AutoRecoveryLock {
  private session: Session | undefined;
  private acquired = false;
  private createRevision = 0;

  constructor(
    private readonly store: MetadataStore,
    private readonly runner: string,
    private readonly sessionTtlMs: number,
  ) {}

  /**
   * Whether this process holds the lock now: the key was created by it and its session is confirmed
   * alive (a suspended session may have lost the key already, so it starts no new work).
   */
  get held(): boolean {
    return this.acquired && this.session?.state === 'alive';
  }

  /** The create revision of the lock key this process holds (for transactions that must check it). */
  get revision(): number {
    return this.createRevision;
  }

  /** Takes the lock if it is free; true when this process holds it afterwards. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    if (!this.session || this.session.state === 'expired' || this.session.state === 'closed') {
      this.acquired = false;
      this.session = await this.store.createSession({ ttlMs: this.sessionTtlMs });
    }
    const value: LockHolder = { runner: this.runner, session: this.session.id };
    try {
      // A key created by this put: its version is its create revision.
      this.createRevision = await this.store.put(keys.autoRecoveryLock, jsonValue(value), { expectedVersion: 'absent', session: this.session });
      this.acquired = true;
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      // Created by an earlier attempt of this same session whose answer was lost: held.
      const entry = await this.store.get(keys.autoRecoveryLock);
      this.acquired = entry !== undefined && parseJson<LockHolder>(entry.value).session === this.session.id;
      if (this.acquired) this.createRevision = entry!.createRevision;
    }
    return this.acquired;
  }

  /** Who holds the lock now, if anyone. */
  async holder(): Promise<LockHolder | undefined> {
    const entry = await this.store.get(keys.autoRecoveryLock);
    return entry ? parseJson<LockHolder>(entry.value) : undefined;
  }

  /** Releases the lock (closing the session deletes the key). */
  async release(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.acquired = false;
    await session?.close();
  }
}
