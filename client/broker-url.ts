// Broker URLs of the binary protocol: strata://host:port (TCP) and strata+tls://host:port (TLS).
import { InvalidArgumentError } from './errors.js';

export interface BrokerAddress {
  url: string;
  host: string;
  port: number;
  tls: boolean;
}

export const DEFAULT_BINARY_PORT = 6650;

export function parseBrokerUrl(url: string): BrokerAddress {
  const m = /^(strata|strata\+tls):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/.exec(url);
  if (!m) throw new InvalidArgumentError(`invalid broker URL ${JSON.stringify(url)}: use strata://host:port or strata+tls://host:port`);
  const port = m[3] === undefined ? DEFAULT_BINARY_PORT : Number(m[3]);
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`invalid port in ${url}`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const tls = m[1] === 'strata+tls';
  return { url: `${m[1]}://${m[2]}:${port}`, host, port, tls };
}

/**
 * The broker a TOPIC_MOVED named, for the first lookup after it ('' or a malformed URL: none); later
 * attempts go back to the seed brokers.
 */
export function brokerHint(url: string): { next(): BrokerAddress | undefined } {
  let hint: BrokerAddress | undefined;
  try {
    hint = url === '' ? undefined : parseBrokerUrl(url);
  } catch {
    hint = undefined;
  }
  return {
    next() {
      const h = hint;
      hint = undefined;
      return h;
    },
  };
}
