// The session state machine, shared by every backend: one transition function, unit-tested.
import type { SessionState } from './metadata-store.js';

export type SessionInput =
  /** The store confirmed the lease (a keep-alive answered with a positive TTL). */
  | 'confirmed'
  /** The lease could not be confirmed within its TTL (store unreachable or slow). */
  | 'overdue'
  /** The store said the lease is gone, or it stayed unconfirmed for too long. */
  | 'lost'
  /** The holder closed (revoked) the session. */
  | 'closed';

/** Returns the next state; `expired` and `closed` are final. */
export function nextSessionState(state: SessionState, input: SessionInput): SessionState {
  if (state === 'expired' || state === 'closed') return state;
  switch (input) {
    case 'confirmed':
      return 'alive';
    case 'overdue':
      return 'suspended';
    case 'lost':
      return 'expired';
    case 'closed':
      return 'closed';
  }
}
