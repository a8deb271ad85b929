// Interceptors: hooks the application (or a test) attaches to producers and consumers to see or change what
// passes through. They run synchronously, in the order given; a throwing interceptor is logged and skipped,
// never breaks a send or a receive.
import type { Message, MessageId, OutgoingMessage } from './message.js';

export interface ProducerInterceptor {
  /** Before the message is queued; may return a changed message (e.g. with a property added). */
  beforeSend?(message: OutgoingMessage, topic: string): OutgoingMessage;
  /** After the broker answered: the message id, or the error the send failed with. */
  onSendAcknowledged?(message: OutgoingMessage, result: { id: MessageId } | { error: Error }): void;
}

export interface ConsumerInterceptor {
  /** When the application takes a message, before it sees it; may return a changed message. */
  onReceive?(message: Message): Message;
  /** When the application acks a message (cumulative: the message given). */
  onAck?(message: Message, cumulative: boolean): void;
  /** When the application nacks a message, or its ack timeout expires. */
  onNack?(message: Message): void;
}

/** Runs `hook` over each interceptor that has it; a failing one is reported through `onError` and skipped. */
export function runInterceptors<I, T>(interceptors: readonly I[] | undefined, value: T, hook: (i: I, value: T) => T | void, onError: (err: unknown) => void): T {
  if (!interceptors) return value;
  let current = value;
  for (const i of interceptors) {
    try {
      const next = hook(i, current);
      if (next !== undefined) current = next;
    } catch (err) {
      onError(err);
    }
  }
  return current;
}
