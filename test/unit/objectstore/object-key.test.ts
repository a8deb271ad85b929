// Key, prefix, metadata and range rules: the same for every backend, checked before any I/O.
import { describe, expect, it } from 'vitest';
import {
  InvalidObjectKeyError, InvalidObjectMetadataError, InvalidRangeError, MAX_KEY_BYTES, MAX_METADATA_BYTES,
  validateListPrefix, validateObjectKey, validateObjectMetadata,
} from '../../../objectstore/index.js';
import { validateRange } from '../../../objectstore/internal.js';
import { BAD_KEYS } from '../../conformance/object-store-conformance.js';

describe('object keys', () => {
  it('accepts segmented keys with any printable characters', () => {
    for (const key of ['a', 'ledgers/00000000000000000042/data', '..x', 'x..', '.hidden/y', 'sp ace/ü/日本', 'a%2F~b', 'x'.repeat(MAX_KEY_BYTES)]) {
      expect(() => validateObjectKey(key), key.slice(0, 30)).not.toThrow();
    }
  });

  it('rejects empty, absolute, dot and empty segments, control characters, backslashes and overlong keys', () => {
    for (const key of [...BAD_KEYS, 'é'.repeat(MAX_KEY_BYTES / 2 + 1), '\u007f', 'lone\ud800surrogate', 'lone\udc00low']) {
      expect(() => validateObjectKey(key), JSON.stringify(key).slice(0, 30)).toThrow(InvalidObjectKeyError);
    }
  });

  it('list prefixes are whole segments then a partial one, possibly empty', () => {
    for (const prefix of ['', 'a', 'a/', 'a/b', 'a/.', 'a/..', '..x/']) expect(() => validateListPrefix(prefix), prefix).not.toThrow();
    for (const prefix of ['/', '/a', 'a//', '../', 'a/./b', 'a\\b', 'x\0']) expect(() => validateListPrefix(prefix), prefix).toThrow(InvalidObjectKeyError);
  });
});

describe('object metadata', () => {
  it('accepts lowercase names with printable ASCII values up to the size limit', () => {
    validateObjectMetadata(undefined);
    validateObjectMetadata({});
    validateObjectMetadata({ crc32c: '0a1b2c3d', 'format-version': '1', empty: '' });
    validateObjectMetadata({ a: 'x'.repeat(MAX_METADATA_BYTES - 1) });
  });

  it('rejects bad names, non-ASCII or padded values, non-strings and too much of it', () => {
    const bad: unknown[] = [
      { A: 'x' }, { '-a': 'x' }, { 'a_b': 'x' }, { 'a b': 'x' }, { ['n'.repeat(65)]: 'x' }, { a: 'é' }, { a: 'tab\t' },
      { a: ' x' }, { a: 1 }, { a: 'x'.repeat(MAX_METADATA_BYTES) }, null, ['a'],
    ];
    for (const m of bad) expect(() => validateObjectMetadata(m as Record<string, string>), JSON.stringify(m)?.slice(0, 40)).toThrow(InvalidObjectMetadataError);
  });
});

describe('ranges', () => {
  it('accepts 0 <= start <= end and refuses everything else before any request', () => {
    validateRange('k', 0, 0);
    validateRange('k', 5, 2 ** 40);
    for (const [s, e] of [[-1, 0], [3, 2], [0.5, 1], [0, Number.NaN], [0, Infinity]]) {
      expect(() => validateRange('k', s!, e!), `${s}-${e}`).toThrow(InvalidRangeError);
    }
  });
});
