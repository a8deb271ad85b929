// Typed errors of deduplication state.
import { BrokerError } from '../errors.js';

/** A dedup snapshot that does not follow its format. The partition must not serve on a guess: rebuild or stop. */
export class MalformedDedupSnapshotError extends BrokerError {
  readonly code = 'MALFORMED_DEDUP_SNAPSHOT';
  readonly retriable = false;
}
