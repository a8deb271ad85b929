// What the HTTP routes need from the broker: one interface, so routes stay thin and testable.
import type { Move } from '../placement/index.js';
import type { TopicName } from '../topics/topic-name.js';

export interface IncomingMessage {
  key?: string;
  value: Buffer;
  properties: Record<string, string>;
  sequenceId?: number;
  eventTime?: number;
}

export type ProduceResult =
  /** `id` is null only for a duplicate older than the producer's last stored batch. */
  | { partition: number; id: string | null; duplicate?: true }
  | { partition: number; error: { code: string; message: string } };

export interface ReceiveOptions {
  max: number;
  waitMs: number;
  visibilityMs: number;
}

export interface ReceivedMessage {
  id: string;
  partition: number;
  key: string | null;
  value: Buffer;
  properties: Record<string, string>;
  publishTime: number;
  eventTime?: number;
  redeliveryCount: number;
}

export interface PartitionStats {
  partition: number;
  owner: string | null;
  msgIn: number;
  bytesIn: number;
  ledgers: Array<{ id: number; entries: number | null; state: string; offloaded: boolean }>;
  subscriptions: Record<string, { backlog: number }>;
}

export interface BrokerApi {
  readonly brokerId: string;
  isReady(): boolean;
  /** Details for /healthz (readiness, partitions, tiering lag). */
  health(): Record<string, unknown>;
  createTopic(name: TopicName, partitions: number): Promise<'created' | 'exists'>;
  listTopics(tenant: string, namespace: string): Promise<Array<{ name: string; partitions: number }>>;
  topicStats(name: TopicName): Promise<{ name: string; partitions: number; stats: PartitionStats[] }>;
  deleteTopic(name: TopicName): Promise<void>;
  brokers(): Promise<Array<{ id: string; httpUrl: string; binaryUrl: string; partitions: number }>>;
  bookies(): Promise<Array<{ id: string; address: string }>>;
  ownership(): Promise<Array<{ topic: string; partition: number; broker: string }>>;
  /** Moves the fewest partitions so that no live, non-draining broker owns more than ⌈P/B⌉. */
  rebalance(): Promise<Move[]>;
  /** The load manager's leader and every live broker's latest load report. */
  load(): Promise<{ leader: string | undefined; brokers: unknown[] }>;
  /** Moves every partition off a live broker and keeps it from claiming (BrokerNotFoundError). */
  drain(brokerId: string): Promise<Move[]>;
  produce(name: TopicName, producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]>;
  receive(name: TopicName, subscription: string, options: ReceiveOptions): Promise<ReceivedMessage[]>;
  ack(name: TopicName, subscription: string, ids: string[]): Promise<number>;
  nack(name: TopicName, subscription: string, ids: string[]): Promise<number>;
  metrics(): Promise<{ contentType: string; body: string }>;
}
