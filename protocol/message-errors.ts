// Typed errors of the message formats shared by broker and client: the batch of one ledger entry and message ids.
import { ProtocolError } from './errors.js';

/** Batch bytes that do not follow the batch grammar: bad magic, truncated or trailing bytes, lengths out of range. */
export class MalformedBatchError extends ProtocolError {
  readonly code = 'MALFORMED_BATCH';
  readonly retriable = false;
}

/**
 * A well-framed batch that uses a format version, compression codec or flag this code does not know (a newer
 * writer). Refused, never guessed at; upgrading the reader is the fix.
 */
export class UnsupportedBatchFormatError extends ProtocolError {
  readonly code = 'UNSUPPORTED_BATCH_FORMAT';
  readonly retriable = false;
}

/** A string that is not a message id this code issued: wrong alphabet or length, unknown version, bad check bits. */
export class InvalidMessageIdError extends ProtocolError {
  readonly code = 'INVALID_MESSAGE_ID';
  readonly retriable = false;
}
