// The binary protocol server of the broker.
export { BinaryServer, type BinaryServerOptions } from './binary-server.js';
export type { BinaryBrokerApi, LookupResult } from './binary-broker-api.js';
export type { BinaryMetrics } from './client-session.js';
