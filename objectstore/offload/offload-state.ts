// The two state machines of tiering, as pure functions: one offload attempt (reading → … → recorded),
// and the next step for a ledger, derived from its metadata alone so that a restarted offloader
// resumes wherever a crashed one stopped.
import type { LedgerMetadata } from '../../ledger/index.js';

/**
 *   reading ──lost──▶ lost (an offload was recorded before this attempt began)
 *   reading ──read──▶ intending ──intent-recorded──▶ uploading ──uploaded──▶ verifying ──verified──▶ recording
 *   recording ──won──▶ recorded        recording ──lost──▶ lost (another offloader's object is recorded)
 *   any state before recorded/lost ──error──▶ failed
 */
export type AttemptState = 'reading' | 'intending' | 'uploading' | 'verifying' | 'recording' | 'recorded' | 'lost' | 'failed';
export type AttemptInput = 'read' | 'intent-recorded' | 'uploaded' | 'verified' | 'won' | 'lost' | 'error';

const FORWARD: Partial<Record<AttemptState, Partial<Record<AttemptInput, AttemptState>>>> = {
  reading: { read: 'intending', lost: 'lost' },
  intending: { 'intent-recorded': 'uploading' },
  uploading: { uploaded: 'verifying' },
  verifying: { verified: 'recording' },
  recording: { won: 'recorded', lost: 'lost' },
};

export function isTerminal(state: AttemptState): boolean {
  return state === 'recorded' || state === 'lost' || state === 'failed';
}

/** The state after `input`; throws on a transition the protocol does not have (a bug). */
export function nextAttemptState(state: AttemptState, input: AttemptInput): AttemptState {
  if (input === 'error' && !isTerminal(state)) return 'failed';
  const next = FORWARD[state]?.[input];
  if (next === undefined) throw new Error(`offload attempt: no transition from ${state} on ${input}`);
  return next;
}

export type TieringStep =
  /** CLOSED and not offloaded: run an offload attempt. */
  | { step: 'offload' }
  /** Offloaded; the bookie copies may be deleted from `until` on (the grace period). */
  | { step: 'wait'; until: number }
  /** Offloaded, grace period over: check the object again, then delete the bookie copies. */
  | { step: 'delete-local-copies' }
  /** Offloaded and the bookie copies are gone. */
  | { step: 'done' }
  /** Nothing to do now: the ledger does not exist or is not closed. */
  | { step: 'skip'; reason: string };

export function nextTieringStep(metadata: LedgerMetadata | undefined, now: number, gracePeriodMs: number): TieringStep {
  if (metadata === undefined) return { step: 'skip', reason: 'ledger does not exist' };
  if (metadata.state !== 'CLOSED') return { step: 'skip', reason: `ledger is ${metadata.state}` };
  const o = metadata.offload;
  if (o === undefined) return { step: 'offload' };
  if (o.localCopiesDeletedAt !== undefined) return { step: 'done' };
  const until = o.offloadedAt + gracePeriodMs;
  return now >= until ? { step: 'delete-local-copies' } : { step: 'wait', until };
}
