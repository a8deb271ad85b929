// What producers and consumers need from the client that made them (StrataClient implements it): lookups,
// retries with backoff, the logger. An interface of its own so the parts do not depend on each other in a cycle.
import type { BrokerAddress } from './broker-url.js';
import type { ClientConnection } from './client-connection.js';
import type { ClientLogger } from './client-logger.js';

export interface ClientContext {
  readonly log: ClientLogger;
  /** Runs `attempt` against seed brokers until it succeeds, fails for good, or the operation timeout passes. */
  retrying<T>(what: string, attempt: (seed: BrokerAddress) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The connection to the broker serving a partition, following redirects from `seed`. */
  lookup(topic: string, partition: number, seed: BrokerAddress): Promise<ClientConnection>;
  partitionCount(topic: string, signal?: AbortSignal): Promise<number>;
  /** A producer or consumer closed by its owner. */
  untrack(closable: { close(): Promise<void> }): void;
}
