// Typed errors of subscription state: acknowledgements that name no deliverable message, and unreadable ack state.
import { BrokerError } from '../errors.js';

/**
 * An acknowledgement the ack set refuses: a batch index outside its batch, a batch size that contradicts an
 * earlier ack of the same entry, or an entry beyond the end of its ledger (or in a ledger not in the log).
 */
export class InvalidAckError extends BrokerError {
  readonly code = 'INVALID_ACK';
  readonly retriable = false;
}

/** Serialized ack state that does not follow its format: the cursor cannot be loaded, and is never guessed at. */
export class MalformedAckStateError extends BrokerError {
  readonly code = 'MALFORMED_ACK_STATE';
  readonly retriable = false;
}

/** A consumer cannot attach: the exclusive subscription has one already, or the subscription is of another type. */
export class ConsumerBusyError extends BrokerError {
  readonly code = 'CONSUMER_BUSY';
  readonly retriable = true;
}
