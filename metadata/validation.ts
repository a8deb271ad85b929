// Key and value rules shared by every backend, so bad input is refused the same way everywhere.
import { InvalidKeyError, InvalidValueError } from './errors.js';

export const MAX_KEY_BYTES = 1024;
/** etcd refuses requests over 1.5 MiB by default; metadata values must stay far below that. */
export const MAX_VALUE_BYTES = 1024 * 1024;

const KEY_PATTERN = /^\/[\x21-\x7e]*$/;

/** A key is printable ASCII without spaces, starts with '/', and is at most 1 KiB. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError('key must be a non-empty string');
  if (key.length > MAX_KEY_BYTES) throw new InvalidKeyError(`key longer than ${MAX_KEY_BYTES} bytes`);
  if (!KEY_PATTERN.test(key)) throw new InvalidKeyError(`key ${JSON.stringify(key)} must start with '/' and be printable ASCII without spaces`);
}

/** A prefix follows the key rules, except that it may be empty (everything). */
export function checkPrefix(prefix: unknown): asserts prefix is string {
  if (prefix === '') return;
  checkKey(prefix);
}

export function checkValue(value: unknown): asserts value is Buffer {
  if (!Buffer.isBuffer(value)) throw new InvalidValueError('value must be a Buffer');
  if (value.length > MAX_VALUE_BYTES) throw new InvalidValueError(`value of ${value.length} bytes exceeds ${MAX_VALUE_BYTES}`);
}

export function checkRevision(name: string, revision: unknown): asserts revision is number {
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
    throw new InvalidValueError(`${name} must be a non-negative integer revision, got ${String(revision)}`);
  }
}
