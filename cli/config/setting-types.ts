// The value types a setting can have: how a flag or STRATA_* string becomes a checked value, and how
// the type reads in the reference table. Every input (flag, environment, default) goes through parseSetting.

export type SettingType =
  | { readonly kind: 'string' }
  | { readonly kind: 'port' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  /** An http:// or https:// URL. */
  | { readonly kind: 'url' }
  /** A binary-protocol broker URL: strata://host[:port] or strata+tls://host[:port]. */
  | { readonly kind: 'broker-url' }
  /** Comma-separated http(s)://host:port URLs (no path). */
  | { readonly kind: 'url-list' }
  | { readonly kind: 'host-port' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

/** The TypeScript type of a parsed value. */
export type ValueOf<T extends SettingType> = T extends { kind: 'port' | 'integer' }
  ? number
  : T extends { kind: 'url-list' }
    ? string[]
    : T extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : string;

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;
const BASE_URL = /^https?:\/\/[^/\s]+$/;
const BROKER_URL = /^strata(\+tls)?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * Parses one raw value; throws an Error whose message says what was expected (the caller names the
 * flag or variable it came from).
 */
export function parseSetting<T extends SettingType>(type: T, raw: string): ValueOf<T> {
  return parseAny(type, raw) as ValueOf<T>;
}

function parseAny(type: SettingType, raw: string): string | number | string[] {
  switch (type.kind) {
    case 'string':
      if (raw.trim() === '') throw new Error('must not be empty');
      return raw;
    case 'port':
      return integer(raw, 0, 65535, 'a port number (0-65535)');
    case 'integer':
      return integer(raw, type.min, type.max, `an integer from ${type.min} to ${type.max}`);
    case 'url':
      if (!isHttpUrl(raw)) throw new Error('must be an http:// or https:// URL');
      return raw.replace(/\/+$/, '');
    case 'broker-url': {
      const trimmed = raw.replace(/\/+$/, '');
      const port = /:(\d+)$/.exec(trimmed)?.[1];
      if (!BROKER_URL.test(trimmed) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) throw new Error('must be strata://host:port or strata+tls://host:port');
      return trimmed;
    }
    case 'url-list': {
      const urls = raw.split(',').map((u) => u.trim()).filter(Boolean);
      if (urls.length === 0) throw new Error('must name at least one http(s)://host:port URL');
      const bad = urls.find((u) => !BASE_URL.test(u));
      if (bad !== undefined) throw new Error(`${JSON.stringify(bad)} is not an http(s)://host:port URL`);
      return urls;
    }
    case 'host-port': {
      if (!HOST_PORT.test(raw)) throw new Error('must be host:port');
      const port = Number(raw.slice(raw.lastIndexOf(':') + 1));
      if (port < 1 || port > 65535) throw new Error('must be host:port with a port from 1 to 65535');
      return raw;
    }
    case 'enum':
      if (!type.values.includes(raw)) throw new Error(`must be one of ${type.values.join(', ')}`);
      return raw;
  }
}

function integer(raw: string, min: number, max: number, what: string): number {
  const n = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`must be ${what}`);
  return n;
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The type as the reference table shows it. */
export function describeType(type: SettingType): string {
  switch (type.kind) {
    case 'string':
      return 'string';
    case 'port':
      return 'port (0-65535)';
    case 'integer':
      return `integer ${type.min}-${type.max}`;
    case 'url':
      return 'URL';
    case 'broker-url':
      return 'strata:// URL';
    case 'url-list':
      return 'URL list';
    case 'host-port':
      return 'host:port';
    case 'enum':
      return `one of ${type.values.join(', ')}`;
  }
}
