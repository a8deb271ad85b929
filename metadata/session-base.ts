// What every backend's session shares: the state, its events and the abort signal.
import { EventEmitter } from 'node:events';
import type { Session, SessionEvents, SessionState } from './metadata-store.js';
import { nextSessionState, type SessionInput } from './session-state.js';
import { SessionExpiredError } from './errors.js';

export abstract class SessionBase extends EventEmitter<SessionEvents> implements Session {
  private current: SessionState = 'alive';
  private readonly controller = new AbortController();

  constructor(
    readonly id: string,
    readonly ttlMs: number,
  ) {
    super();
  }

  get state(): SessionState {
    return this.current;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Applies an input and emits the event of the transition, if any. */
  protected apply(input: SessionInput, cause?: unknown): void {
    const before = this.current;
    const after = nextSessionState(before, input);
    if (after === before) return;
    this.current = after;
    if (after === 'suspended') this.emit('suspended');
    else if (after === 'alive') this.emit('resumed');
    else {
      const error = new SessionExpiredError(this.id, after === 'closed' ? `session ${this.id} was closed` : undefined, { cause });
      this.controller.abort(error);
      if (after === 'expired') this.emit('expired', error);
    }
  }

  /** Throws when the session can no longer bind keys. */
  assertUsable(): void {
    if (this.current === 'expired' || this.current === 'closed') throw new SessionExpiredError(this.id);
  }

  abstract close(): Promise<void>;
}
