// Typed errors of the broker. HTTP maps them to statuses in one place (http/error-handler.ts).
import { StrataError } from '../common/index.js';

export abstract class BrokerError extends StrataError {}

/** This broker no longer owns the partition (another took it over, or its lease is gone). */
export class OwnershipLostError extends BrokerError {
  readonly code = 'OWNERSHIP_LOST';
  readonly retriable = true;
}

/** The partition's log is not writable right now (rolling failed, no bookies); retry later. */
export class PartitionUnavailableError extends BrokerError {
  readonly code = 'PARTITION_UNAVAILABLE';
  readonly retriable = true;
}

/** Too much is queued on the partition; back off. */
export class PartitionBusyError extends BrokerError {
  readonly code = 'PARTITION_BUSY';
  readonly retriable = true;
}

/** The managed ledger was closed. */
export class ManagedLedgerClosedError extends BrokerError {
  readonly code = 'MANAGED_LEDGER_CLOSED';
  readonly retriable = true;
}

/** No live broker is registered under that id. */
export class BrokerNotFoundError extends BrokerError {
  readonly code = 'BROKER_NOT_FOUND';
  readonly retriable = false;
}

/** A rebalance or drain has partitions to move and no live, non-draining broker to take them. */
export class NoTargetBrokerError extends BrokerError {
  readonly code = 'NO_TARGET_BROKER';
  readonly retriable = false;
}

/** A tenant, namespace, topic or subscription name that breaks the naming rules. */
export class InvalidNameError extends BrokerError {
  readonly code = 'INVALID_NAME';
  readonly retriable = false;
}

export class TopicNotFoundError extends BrokerError {
  readonly code = 'TOPIC_NOT_FOUND';
  readonly retriable = false;
}

/** The topic exists with other settings. */
export class TopicExistsError extends BrokerError {
  readonly code = 'TOPIC_EXISTS';
  readonly retriable = false;
}

export class SubscriptionNotFoundError extends BrokerError {
  readonly code = 'SUBSCRIPTION_NOT_FOUND';
  readonly retriable = false;
}

/** Input that is well-formed JSON but not acceptable (bad ids, sequence ids, values). */
export class InvalidRequestError extends BrokerError {
  readonly code = 'BAD_REQUEST';
  readonly retriable = false;
}

/** The broker is not serving yet (starting) or any more (stopping). */
export class NotReadyError extends BrokerError {
  readonly code = 'NOT_READY';
  readonly retriable = true;
}

/** An error answered by another broker this one forwarded a request to (its code and retriability kept). */
export class RemoteBrokerError extends BrokerError {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    readonly status: number,
  ) {
    super(message);
  }
}

/** A binary client asked a broker that does not serve the partition: look it up again. */
export class NotOwnerError extends BrokerError {
  readonly code = 'NOT_OWNER';
  readonly retriable = true;
}

/** A producer of that name is connected to the partition already (one connection per name). */
export class ProducerBusyError extends BrokerError {
  readonly code = 'PRODUCER_BUSY';
  readonly retriable = true;
}

/** A feature this broker version does not have. */
export class NotSupportedError extends BrokerError {
  readonly code = 'NOT_SUPPORTED';
  readonly retriable = false;
}

/** Something the request names, other than a topic, subscription or broker, does not exist here. */
export class NotFoundError extends BrokerError {
  readonly code = 'NOT_FOUND';
  readonly retriable = false;
}
