// What the binary protocol session sees of a subscription's push delivery, whatever its type: consumers attach
// and detach, grant permits, ack, nack and seek. StreamDispatcher serves exclusive and failover subscriptions,
// SharedDispatcher shared and key_shared ones.
import type { MessagePosition } from '../../protocol/index.js';
import type { LogEntry, Position } from '../managed-ledger/index.js';

export type SubscriptionType = 'exclusive' | 'failover' | 'shared' | 'key_shared';

/** One stored entry pushed to a consumer. `ackedIndexes`: batch indexes the consumer must skip (acked, or not its own). */
export interface PushedEntry {
  position: Position;
  data: Buffer;
  redeliveryCount: number;
  ackedIndexes: Uint8Array | undefined;
}

/** The dispatcher's view of an attached consumer (its connection). */
export interface ConsumerSink {
  readonly name: string;
  /** False while the connection is congested; the dispatcher stops pushing until `resume()` is called. */
  readonly writable: boolean;
  /** Sends one entry; `messages` = those of its batch not skipped. */
  push(entry: PushedEntry, messages: number): void;
  activeChanged(active: boolean): void;
}

export interface Dispatcher {
  readonly type: SubscriptionType;
  readonly consumerCount: number;
  /** Attaches a consumer; returns whether it receives messages now. ConsumerBusyError if the type forbids it. */
  attach(sink: ConsumerSink, type: SubscriptionType): boolean;
  /** Detaches a consumer; what it held unacknowledged is delivered again. */
  detach(sink: ConsumerSink): void;
  /** Grants permits (messages) to a consumer. */
  flow(sink: ConsumerSink, permits: number): void;
  /** The connections can take more again. */
  resume(): void;
  /** Acks messages (each with its batch size) for `sink`; resolves with how many were new, once persisted. */
  ack(sink: ConsumerSink, positions: ReadonlyArray<MessagePosition & { batchSize: number }>, cumulative: boolean): Promise<number>;
  /** Delivers again what `sink` holds of the named entries (everything it holds when none are named); returns how many entries. */
  nack(sink: ConsumerSink, positions: readonly Position[]): number;
  /** Moves the subscription so that `target` is the next message; pushing stops until the next FLOW. */
  seek(target: MessagePosition, batchSize: number): Promise<void>;
  /** Whether a binary consumer holds the message unacknowledged now (the HTTP queue skips it). */
  holds(position: MessagePosition): boolean;
  /** Messages were acknowledged by another path (HTTP): forget holding them. */
  acknowledgedElsewhere(): void;
  /** Stops dispatching (the partition closes or moves). */
  close(): void;
}

/** The part of a managed ledger a dispatcher reads. */
export interface DispatchLog {
  readonly lastConfirmedPosition: Position | undefined;
  readonly reader: {
    read(from: Position, maxEntries: number, maxBytes?: number): Promise<LogEntry[]>;
    next(position: Position): Position;
  };
  waitForEntries(after: Position | undefined, timeoutMs: number): Promise<unknown>;
}

export const positionKey = (p: Position): string => `${p.ledgerId}:${p.entryId}`;

/** Number of bits set. */
export function popcount(bits: Uint8Array): number {
  let n = 0;
  for (let b of bits) for (; b !== 0; b &= b - 1) n++;
  return n;
}
