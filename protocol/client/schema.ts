// The machine-readable schema of the client↔broker protocol (commands 0x02xx): every command, its code, kind and
// fields in wire order. The codec (client-codec.ts) encodes and decodes from this table alone, and
// docs/protocol-schema.json is generated from it (`npm run docs:protocol`; a test fails when it is stale).
//
// Field types (all integers big-endian):
//   u8 u16 u32        unsigned integers
//   u64               unsigned, at most 2^53−1
//   i64               −1 (none) or an unsigned integer at most 2^53−1
//   bool              u8, 0 or 1
//   string            len:u16 utf8 (valid UTF-8)
//   bytes             len:u32 bytes
//   properties        count:u16 (string name, string value) × count; names unique
//   positions         count:u32 (ledgerId:u64 entryId:u64 batchIndex:u32 batchSize:u32) × count
//   payload           the rest of the frame, passed through untouched (only as the last field)

export const PROTOCOL_VERSION = 1;
/** The oldest protocol version this code still speaks. */
export const MIN_PROTOCOL_VERSION = 1;

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'i64' | 'bool' | 'string' | 'bytes' | 'properties' | 'positions' | 'payload';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly doc: string;
}

/**
 * - `request`: carries a requestId ≥ 1 and is answered by its `response` (code + 1) or by an ERROR frame with the
 *   same requestId.
 * - `response`: the answer to a request.
 * - `notice`: one-way, requestId 0, never answered (FLOW, MESSAGE, TOPIC_MOVED, ACTIVE_CONSUMER_CHANGE).
 */
export type CommandKind = 'request' | 'response' | 'notice';

export interface CommandSpec {
  readonly code: number;
  readonly kind: CommandKind;
  /** Who sends it. */
  readonly from: 'client' | 'broker' | 'both';
  readonly doc: string;
  readonly fields: readonly FieldSpec[];
}

const f = <N extends string, T extends FieldType>(name: N, type: T, doc: string) => ({ name, type, doc }) as const;

export const clientCommands = {
  CONNECT: {
    code: 0x0201,
    kind: 'request',
    from: 'client',
    doc: 'The first frame of a connection: the versions the client speaks. Anything else first is an error.',
    fields: [
      f('minVersion', 'u16', 'oldest protocol version the client speaks'),
      f('maxVersion', 'u16', 'newest protocol version the client speaks'),
      f('clientName', 'string', 'free text for logs, e.g. "strata-ts/0.1"'),
    ],
  },
  CONNECTED: {
    code: 0x0202,
    kind: 'response',
    from: 'broker',
    doc: 'The handshake succeeded; the connection speaks `version` from now on.',
    fields: [
      f('version', 'u16', 'the highest version both sides speak'),
      f('brokerId', 'string', 'the id of the broker answering'),
      f('maxFrameSize', 'u32', 'largest frame length the broker accepts'),
      f('heartbeatIntervalMs', 'u32', 'send PING when idle this long; a peer silent for 3 intervals is dead'),
    ],
  },
  PING: { code: 0x0203, kind: 'request', from: 'both', doc: 'Liveness probe; answered with PONG.', fields: [] },
  PONG: { code: 0x0204, kind: 'response', from: 'both', doc: 'The answer to PING.', fields: [] },
  LOOKUP: {
    code: 0x0205,
    kind: 'request',
    from: 'client',
    doc: 'Which broker serves this partition. An unowned partition is assigned (claimed) first.',
    fields: [f('topic', 'string', 'tenant/namespace/topic'), f('partition', 'u32', 'partition index')],
  },
  LOOKUP_RESPONSE: {
    code: 0x0206,
    kind: 'response',
    from: 'broker',
    doc: 'The owner. `here` = this very connection serves it; otherwise connect to `binaryUrl` (a redirect).',
    fields: [
      f('here', 'bool', 'true if the broker answering owns the partition'),
      f('brokerId', 'string', 'the owning broker'),
      f('binaryUrl', 'string', 'strata://host:port of the owner'),
      f('httpUrl', 'string', 'http://host:port of the owner'),
    ],
  },
  PARTITION_METADATA: {
    code: 0x0207,
    kind: 'request',
    from: 'client',
    doc: 'How many partitions a topic has. Unknown topic: ERROR TOPIC_NOT_FOUND.',
    fields: [f('topic', 'string', 'tenant/namespace/topic')],
  },
  PARTITION_METADATA_RESPONSE: {
    code: 0x0208,
    kind: 'response',
    from: 'broker',
    doc: 'The partition count.',
    fields: [f('partitions', 'u32', 'number of partitions (≥ 1)')],
  },
  PRODUCER: {
    code: 0x0209,
    kind: 'request',
    from: 'client',
    doc: 'Opens a producer on one partition this broker owns. A name is unique per partition while connected.',
    fields: [
      f('producerId', 'u32', 'chosen by the client, unique on the connection'),
      f('topic', 'string', 'tenant/namespace/topic'),
      f('partition', 'u32', 'partition index'),
      f('producerName', 'string', 'the producer name (deduplication key); empty = the broker assigns one'),
    ],
  },
  PRODUCER_SUCCESS: {
    code: 0x020a,
    kind: 'response',
    from: 'broker',
    doc: 'The producer is open. Resume sequence ids after `lastSequenceId`.',
    fields: [
      f('producerName', 'string', 'the name in force (assigned when the request had none)'),
      f('lastSequenceId', 'i64', 'highest sequence id of this name stored in the partition, −1 if none'),
    ],
  },
  SEND: {
    code: 0x020b,
    kind: 'request',
    from: 'client',
    doc: 'One message batch, stored as one ledger entry as it is. Its header must name the producer and carry sequence ids.',
    fields: [
      f('producerId', 'u32', 'an open producer of this connection'),
      f('payload', 'payload', "a message batch ('STMB' format), stored byte for byte"),
    ],
  },
  SEND_RECEIPT: {
    code: 0x020c,
    kind: 'response',
    from: 'broker',
    doc: 'The batch is durable (on ackQuorum bookie journals), or was stored before (`duplicate`).',
    fields: [
      f('duplicate', 'bool', 'the sequence ids were stored before; nothing was written'),
      f('ledgerId', 'i64', "ledger of the batch's first message; −1 = unknown (an old duplicate)"),
      f('entryId', 'i64', "entry of the batch's first message; −1 = unknown"),
      f('batchIndex', 'u32', "index of the batch's first message in that entry"),
    ],
  },
  SUBSCRIBE: {
    code: 0x020d,
    kind: 'request',
    from: 'client',
    doc: 'Attaches a consumer to a subscription of one partition this broker owns; messages are pushed as permits allow.',
    fields: [
      f('consumerId', 'u32', 'chosen by the client, unique on the connection'),
      f('topic', 'string', 'tenant/namespace/topic'),
      f('partition', 'u32', 'partition index'),
      f('subscription', 'string', 'subscription name (ignored for a non-durable reader)'),
      f('type', 'u8', '0 exclusive, 1 failover, 2 shared, 3 key_shared'),
      f('initialPosition', 'u8', 'where a new subscription starts: 0 latest, 1 earliest'),
      f('consumerName', 'string', 'failover: the first consumer to attach is active; when it leaves, the next one is the first by name'),
      f('durable', 'bool', 'false = a reader: an in-memory cursor at the start position, acks not persisted'),
      f('startLedgerId', 'i64', 'reader start: ledger id, −1 = use initialPosition'),
      f('startEntryId', 'i64', 'reader start: entry id'),
      f('startBatchIndex', 'u32', 'reader start: index in the batch'),
    ],
  },
  SUBSCRIBE_SUCCESS: {
    code: 0x020e,
    kind: 'response',
    from: 'broker',
    doc: 'The consumer is attached.',
    fields: [f('active', 'bool', 'whether this consumer receives messages now (always true for exclusive)')],
  },
  FLOW: {
    code: 0x020f,
    kind: 'notice',
    from: 'client',
    doc: 'Grants the broker `permits` more messages to push to this consumer.',
    fields: [f('consumerId', 'u32', 'an attached consumer'), f('permits', 'u32', 'messages (not entries) the consumer can take')],
  },
  MESSAGE: {
    code: 0x0211,
    kind: 'notice',
    from: 'broker',
    doc: 'One stored entry (a message batch) pushed to a consumer; counts its message count against the permits.',
    fields: [
      f('consumerId', 'u32', 'the consumer'),
      f('ledgerId', 'u64', 'position of the entry'),
      f('entryId', 'u64', 'position of the entry'),
      f('redeliveryCount', 'u32', 'how often this entry was delivered before'),
      f('ackedIndexes', 'bytes', 'bitset (bit i of byte i>>3, LSB first) of batch indexes already acknowledged; skip them. Empty = none'),
      f('payload', 'payload', 'the entry bytes as stored'),
    ],
  },
  ACK: {
    code: 0x0213,
    kind: 'request',
    from: 'client',
    doc: 'Acknowledges messages; answered once the acknowledgement is persisted (never before).',
    fields: [
      f('consumerId', 'u32', 'the consumer'),
      f('cumulative', 'bool', 'true: everything up to and including the (single) position'),
      f('positions', 'positions', 'the messages, each with its batch size'),
    ],
  },
  ACK_RESPONSE: {
    code: 0x0214,
    kind: 'response',
    from: 'broker',
    doc: 'The acknowledgement is durable.',
    fields: [f('acked', 'u32', 'how many positions were not acknowledged before')],
  },
  NACK: {
    code: 0x0215,
    kind: 'request',
    from: 'client',
    doc: 'Asks for redelivery of delivered, unacknowledged messages (nack and ack timeout); no positions = all of them.',
    fields: [f('consumerId', 'u32', 'the consumer'), f('positions', 'positions', 'the messages (batchSize may be 0)')],
  },
  NACK_RESPONSE: {
    code: 0x0216,
    kind: 'response',
    from: 'broker',
    doc: 'The messages are queued for redelivery.',
    fields: [f('redelivered', 'u32', 'entries queued again')],
  },
  UNSUBSCRIBE: {
    code: 0x0217,
    kind: 'request',
    from: 'client',
    doc: "Deletes the subscription (its cursor) and detaches the consumer. Refused while other consumers are attached.",
    fields: [f('consumerId', 'u32', 'the consumer')],
  },
  UNSUBSCRIBE_RESPONSE: { code: 0x0218, kind: 'response', from: 'broker', doc: 'The subscription is gone.', fields: [] },
  CLOSE_PRODUCER: {
    code: 0x0219,
    kind: 'request',
    from: 'client',
    doc: 'Closes a producer. Receipts of sends received before it may still follow the answer.',
    fields: [f('producerId', 'u32', 'the producer')],
  },
  CLOSE_PRODUCER_RESPONSE: { code: 0x021a, kind: 'response', from: 'broker', doc: 'The producer is closed.', fields: [] },
  CLOSE_CONSUMER: {
    code: 0x021b,
    kind: 'request',
    from: 'client',
    doc: 'Detaches a consumer; what it was sent and did not acknowledge is delivered again later.',
    fields: [f('consumerId', 'u32', 'the consumer')],
  },
  CLOSE_CONSUMER_RESPONSE: { code: 0x021c, kind: 'response', from: 'broker', doc: 'The consumer is detached.', fields: [] },
  TOPIC_MOVED: {
    code: 0x021d,
    kind: 'notice',
    from: 'broker',
    doc: 'The partition of this producer or consumer is no longer served here; it is closed. Look it up again and reattach.',
    fields: [
      f('kind', 'u8', '0 producer, 1 consumer'),
      f('id', 'u32', 'producerId or consumerId'),
      f('binaryUrl', 'string', 'where the partition went, when known; empty = look it up'),
    ],
  },
  ACTIVE_CONSUMER_CHANGE: {
    code: 0x021f,
    kind: 'notice',
    from: 'broker',
    doc: 'Failover: this consumer became active (it receives messages from now on). SUBSCRIBE_SUCCESS tells the state at attach time.',
    fields: [f('consumerId', 'u32', 'the consumer'), f('active', 'bool', 'whether it is active now')],
  },
  SEEK: {
    code: 0x0221,
    kind: 'request',
    from: 'client',
    doc: "Moves the consumer's subscription (or reader) to a message id or a publish time: messages before it count as acknowledged, from it on as not. The broker stops pushing (permits drop to 0) until the next FLOW.",
    fields: [
      f('consumerId', 'u32', 'the consumer'),
      f('ledgerId', 'i64', 'target message: ledger id; −1 = seek by publishTime'),
      f('entryId', 'i64', 'target message: entry id'),
      f('batchIndex', 'u32', 'target message: index in its batch'),
      f('publishTime', 'i64', 'when ledgerId is −1: the first message published at or after this time (ms since the epoch)'),
    ],
  },
  SEEK_RESPONSE: { code: 0x0222, kind: 'response', from: 'broker', doc: 'The subscription is moved; send FLOW to receive from there.', fields: [] },
} as const satisfies Record<string, CommandSpec>;

export type ClientCommandName = keyof typeof clientCommands;
