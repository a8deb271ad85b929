// Typed errors of the client library: every failure a caller sees is a ClientError with a stable `code` and a
// `retriable` flag. Errors the broker answers keep the broker's code (the wire table in protocol/client).
import { StrataError } from '../common/index.js';
import { wireErrorInfo } from '../protocol/index.js';

export abstract class ClientError extends StrataError {}

/** The broker refused or failed a request; `code` is the wire error code (TOPIC_NOT_FOUND, NOT_OWNER, …). */
export class BrokerRequestError extends ClientError {
  readonly retriable: boolean;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.retriable = wireErrorInfo(code).retriable;
  }
}

/** The connection to a broker failed or closed before the answer came; the operation may or may not have happened. */
export class ConnectionError extends ClientError {
  readonly code = 'CONNECTION_FAILED';
  readonly retriable = true;
}

/** The client, producer or consumer was closed. */
export class ClosedError extends ClientError {
  readonly code = 'CLOSED';
  readonly retriable = false;
}

/** No answer within the operation's timeout. */
export class TimeoutError extends ClientError {
  readonly code = 'TIMEOUT';
  readonly retriable = true;
}

/** The producer's pending queue is full and the producer was told not to block. */
export class ProducerQueueFullError extends ClientError {
  readonly code = 'PRODUCER_QUEUE_FULL';
  readonly retriable = true;
}

/** Invalid arguments (a bad URL, a message too large, …): a caller bug. */
export class InvalidArgumentError extends ClientError {
  readonly code = 'INVALID_ARGUMENT';
  readonly retriable = false;
}

/** The operation was aborted through its AbortSignal. */
export class AbortedError extends ClientError {
  readonly code = 'ABORTED';
  readonly retriable = false;
}
