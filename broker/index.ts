// The stateless broker: ownership, managed ledgers, subscriptions, the HTTP API.
export { Broker, type BrokerConfig } from './broker.js';
export { buildHttpServer, type HttpServerOptions } from './http/http-server.js';
export type { BrokerApi } from './http/broker-api.js';
export { DEFAULT_MANAGED_LEDGER_CONFIG, type ManagedLedgerConfig } from './managed-ledger/index.js';
export * from './errors.js';
