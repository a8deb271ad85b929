// The Strata TypeScript client: connect(url | urls) → producers, consumers and readers over the binary protocol.
export { connect, StrataClient, type ClientOptions } from './strata-client.js';
export { Producer, type ProducerOptions } from './producer.js';
export type { BatchingOptions } from './partition-producer.js';
export { Consumer, type ConsumerOptions, type ReaderOptions } from './consumer.js';
export type { SubscriptionType, InitialPosition } from './partition-consumer.js';
export { MessageId, type Message, type OutgoingMessage } from './message.js';
export type { ClientLogger } from './client-logger.js';
export type { ProducerInterceptor, ConsumerInterceptor } from './interceptors.js';
export { SequenceChecker, type SequenceGap, type SequenceDuplicate } from './sequence-checker.js';
export { parseBrokerUrl, DEFAULT_BINARY_PORT, type BrokerAddress } from './broker-url.js';
export {
  ClientError,
  BrokerRequestError,
  ConnectionError,
  ClosedError,
  TimeoutError,
  ProducerQueueFullError,
  InvalidArgumentError,
  AbortedError,
} from './errors.js';
