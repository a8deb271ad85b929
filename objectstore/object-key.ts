// The rules every object key and list prefix must follow, the same for every backend, so that a key
// that works in standalone (local directory) also works on S3 and can never escape the local root.
import { InvalidObjectKeyError } from './errors.js';

/** S3's limit on the whole key (prefix included), in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

// Control characters and the backslash (a path separator on some systems) are never allowed.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkCharacters(what: string, value: string): void {
  if (FORBIDDEN.test(value)) throw new InvalidObjectKeyError(`${what} ${JSON.stringify(value)} contains a control character or a backslash`);
  if (LONE_SURROGATE.test(value)) throw new InvalidObjectKeyError(`${what} ${JSON.stringify(value)} is not valid Unicode`);
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) throw new InvalidObjectKeyError(`${what} is longer than ${MAX_KEY_BYTES} bytes`);
}

function checkSegment(what: string, value: string, segment: string): void {
  if (segment === '') throw new InvalidObjectKeyError(`${what} ${JSON.stringify(value)} has an empty segment (a leading, trailing or doubled '/')`);
  if (segment === '.' || segment === '..') throw new InvalidObjectKeyError(`${what} ${JSON.stringify(value)} has a '${segment}' segment`);
}

/**
 * A key is one or more '/'-separated segments: not empty, not absolute, no empty, '.' or '..'
 * segments, no control characters or backslashes, at most MAX_KEY_BYTES. Throws InvalidObjectKeyError.
 */
export function validateObjectKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new InvalidObjectKeyError('object key is empty');
  checkCharacters('object key', key);
  for (const segment of key.split('/')) checkSegment('object key', key, segment);
}

/**
 * A list prefix is '' or whole valid segments followed by a partial last segment, which may be
 * empty (a prefix ending in '/'). Throws InvalidObjectKeyError.
 */
export function validateListPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new InvalidObjectKeyError('list prefix is not a string');
  if (prefix === '') return;
  checkCharacters('list prefix', prefix);
  const segments = prefix.split('/');
  for (const segment of segments.slice(0, -1)) checkSegment('list prefix', prefix, segment);
}
