// The broker's Prometheus metrics, in a registry of its own.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly messagesIn = new Counter({ name: 'strata_broker_messages_in_total', help: 'messages stored', registers: [this.registry] });
  readonly bytesIn = new Counter({ name: 'strata_broker_bytes_in_total', help: 'entry bytes stored', registers: [this.registry] });
  readonly messagesOut = new Counter({ name: 'strata_broker_messages_out_total', help: 'messages delivered (including redeliveries)', registers: [this.registry] });
  readonly acks = new Counter({ name: 'strata_broker_acks_total', help: 'messages acknowledged (persisted)', registers: [this.registry] });
  readonly binaryConnections = new Gauge({ name: 'strata_broker_binary_connections', help: 'open binary protocol connections', registers: [this.registry] });
  readonly ownedPartitions = new Gauge({ name: 'strata_broker_owned_partitions', help: 'partitions loaded on this broker', registers: [this.registry] });
  readonly dispatchPaused = new Counter({
    name: 'strata_broker_dispatch_paused_total',
    help: 'receives that handed out no new message because the subscription reached its unacked cap, and key_shared dispatch rounds that stopped reading at the parking bound',
    registers: [this.registry],
  });

  /** The binary protocol's share of the counters. */
  readonly binary = {
    stored: (messages: number, bytes: number): void => {
      this.messagesIn.inc(messages);
      this.bytesIn.inc(bytes);
    },
    pushed: (messages: number): void => this.messagesOut.inc(messages),
    acked: (messages: number): void => this.acks.inc(messages),
    connections: (delta: number): void => this.binaryConnections.inc(delta),
  };

  constructor({ processMetrics = false }: { processMetrics?: boolean } = {}) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'strata_broker_' });
  }
}
