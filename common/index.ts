// Small utilities every part may use; common depends on nothing else in Strata.
export { StrataError, type StrataErrorOptions } from './strata-error.js';
export { delay, waitFor, withTimeout, DeadlineExceededError } from './deadline.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { createLogger, silentLogger, type Logger } from './logger.js';
export { ByteReader } from './byte-reader.js';
export { isSelfConnected, selfConnectError } from './self-connect.js';
