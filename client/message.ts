// Messages as the client hands them out, and message ids (the same opaque strings as the HTTP API's).
import { decodeMessageId, encodeMessageId, type MessageInput } from '../protocol/index.js';
import { InvalidArgumentError } from './errors.js';

/** What `send()` takes: only `value` is required. Strings are sent as UTF-8. */
export interface OutgoingMessage {
  value: Buffer | string;
  /** Messages with the same key go to the same partition and, on key_shared, the same consumer. */
  key?: string;
  properties?: Record<string, string>;
  /** ms since the epoch. */
  eventTime?: number;
}

/** Where a message is stored: partition, ledger, entry and index in its batch. Ordered like the log. */
export class MessageId {
  constructor(
    readonly partition: number,
    readonly ledgerId: number,
    readonly entryId: number,
    readonly batchIndex: number,
  ) {}

  /** The id of a message stored earlier whose position the broker no longer knows (a resend recognised as a duplicate). */
  static readonly UNKNOWN = new MessageId(0, -1, -1, 0);

  /** Parses the opaque string form (as printed by `toString()` and used by the HTTP API). */
  static parse(id: string): MessageId {
    let m;
    try {
      m = decodeMessageId(id);
    } catch (err) {
      throw new InvalidArgumentError(`invalid message id ${JSON.stringify(id.slice(0, 64))}: ${(err as Error).message}`, { cause: err });
    }
    return new MessageId(m.partition, m.ledgerId, m.entryId, m.batchIndex);
  }

  get known(): boolean {
    return this.ledgerId >= 0;
  }

  /** The opaque 36-character form shared with the HTTP API. */
  toString(): string {
    return this.known ? encodeMessageId(this) : 'unknown';
  }

  /** Log order within one partition: negative, zero or positive. */
  compareTo(other: MessageId): number {
    return this.ledgerId - other.ledgerId || this.entryId - other.entryId || this.batchIndex - other.batchIndex;
  }

  equals(other: MessageId): boolean {
    return this.partition === other.partition && this.compareTo(other) === 0;
  }
}

/** A received message. `value` is a view of the received frame: copy it to keep it beyond the message. */
export interface Message {
  readonly id: MessageId;
  readonly topic: string;
  readonly partition: number;
  readonly key: string | undefined;
  readonly value: Buffer;
  readonly properties: Readonly<Record<string, string>>;
  /** ms since the epoch, set by the producer. */
  readonly publishTime: number;
  /** ms since the epoch; 0 = none. */
  readonly eventTime: number;
  readonly producerName: string;
  /** −1 when the producer sent none. */
  readonly sequenceId: number;
  /** How often this message was delivered to this subscription before. */
  readonly redeliveryCount: number;
  /** The number of messages in its batch (acks name it). */
  readonly batchSize: number;
}

export function toInput(m: OutgoingMessage): MessageInput {
  return { key: m.key, value: typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : m.value, properties: m.properties, eventTime: m.eventTime };
}
