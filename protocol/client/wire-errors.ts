// The error codes a broker puts in ERROR frames of the client protocol: one table, with whether a retry can
// succeed and what the client does. Connection-level codes (requestId 0) are followed by the broker closing.

export const wireErrors = {
  MALFORMED_FRAME: { retriable: false, connection: true, doc: 'bytes that do not follow the schema; the connection is closed' },
  FRAME_TOO_LARGE: { retriable: false, connection: true, doc: 'a frame above the maximum size; the connection is closed' },
  NOT_CONNECTED: { retriable: false, connection: true, doc: 'a command before CONNECT, or a second CONNECT; the connection is closed' },
  UNSUPPORTED_VERSION: { retriable: false, connection: true, doc: 'no protocol version in common; the connection is closed' },
  HEARTBEAT_TIMEOUT: { retriable: true, connection: true, doc: 'nothing received for 3 heartbeat intervals; the connection is closed' },
  BAD_REQUEST: { retriable: false, connection: false, doc: 'a well-formed request the broker refuses (bad batch, unknown producer id, …)' },
  INVALID_NAME: { retriable: false, connection: false, doc: 'a topic or subscription name that is not valid' },
  TOPIC_NOT_FOUND: { retriable: false, connection: false, doc: 'the topic does not exist' },
  NOT_OWNER: { retriable: true, connection: false, doc: 'this broker does not serve the partition: look it up again' },
  PARTITION_UNAVAILABLE: { retriable: true, connection: false, doc: 'no broker serves the partition right now (its owner died and the lease runs)' },
  PARTITION_BUSY: { retriable: true, connection: false, doc: 'the same sequence ids are being stored right now; resend after the first answer' },
  PRODUCER_BUSY: { retriable: true, connection: false, doc: 'a producer of that name is connected to the partition' },
  CONSUMER_BUSY: { retriable: true, connection: false, doc: 'an exclusive subscription already has a consumer' },
  SUBSCRIPTION_NOT_FOUND: { retriable: false, connection: false, doc: 'the subscription does not exist' },
  NOT_SUPPORTED: { retriable: false, connection: false, doc: 'a feature this broker version does not have (e.g. a subscription type)' },
  NOT_READY: { retriable: true, connection: false, doc: 'the broker is starting or stopping' },
  STORE_UNAVAILABLE: { retriable: true, connection: false, doc: 'the metadata store cannot be reached; acks wait for it' },
  OWNERSHIP_LOST: { retriable: true, connection: false, doc: 'the partition moved while the request ran: look it up again' },
  MANAGED_LEDGER_CLOSED: { retriable: true, connection: false, doc: 'the partition is closing (moving); look it up again' },
  INTERNAL: { retriable: true, connection: false, doc: 'a failure inside the broker; the request may or may not have taken effect' },
} as const;

export type WireErrorCode = keyof typeof wireErrors;

/** The table row of a code; an unknown code (a newer broker) is treated as a retriable internal error. */
export function wireErrorInfo(code: string): { retriable: boolean; connection: boolean; doc: string } {
  return (wireErrors as Record<string, { retriable: boolean; connection: boolean; doc: string }>)[code] ?? wireErrors.INTERNAL;
}
