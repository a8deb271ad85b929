// The local store's key → path mapping: reversible, inside the root, and never a clash between an
// object "a" and the directory holding "a/b".
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidObjectKeyError } from '../../../objectstore/index.js';
import { decodeSegment, encodeSegment, keyToPath } from '../../../objectstore/internal.js';
import { BAD_KEYS } from '../../conformance/object-store-conformance.js';

const root = '/var/strata/objects';

describe('local key paths', () => {
  it('encodes exactly the characters outside [A-Za-z0-9._-] and a leading dot', () => {
    expect(encodeSegment('plain-name_1.x')).toBe('plain-name_1.x');
    expect(encodeSegment('.dot')).toBe('%2Edot');
    expect(encodeSegment('a.b.')).toBe('a.b.');
    expect(encodeSegment('sp ace~%ü')).toBe('sp%20ace%7E%25%C3%BC');
    expect(encodeSegment('日')).toBe('%E6%97%A5');
    expect(encodeSegment('😀')).toBe('%F0%9F%98%80');
  });

  it('decodes what it encodes and nothing else', () => {
    for (const seg of ['a', '.x', '..x', 'sp ace', '~', '%', 'ü日😀', 'A.b-c_d', '%2E']) {
      expect(decodeSegment(encodeSegment(seg)), seg).toBe(seg);
    }
    for (const name of ['', '.tmp', 'a~', '%2e', '%zz', 'a%2', 'sp ace', '%41']) expect(decodeSegment(name), name).toBeUndefined();
  });

  it('maps keys under the root, objects ending in ~ so "a" and "a/b" never clash', () => {
    expect(keyToPath(root, 'a')).toBe(`${root}/a~`);
    expect(keyToPath(root, 'a/b')).toBe(`${root}/a/b~`);
    expect(keyToPath(root, 'ledgers/42/data')).toBe(`${root}/ledgers/42/data~`);
    expect(keyToPath(root, '.strata-verify/x')).toBe(`${root}/%2Estrata-verify/x~`);
    expect(keyToPath(root, '..x/y')).toBe(`${root}/%2E.x/y~`);
  });

  it('rejects every bad key and segments too long for a file name once encoded', () => {
    for (const key of BAD_KEYS) expect(() => keyToPath(root, key), JSON.stringify(key).slice(0, 30)).toThrow(InvalidObjectKeyError);
    expect(() => keyToPath(root, 'é'.repeat(42))).not.toThrow();
    expect(() => keyToPath(root, `ok/${'é'.repeat(43)}`)).toThrow(InvalidObjectKeyError);
  });

  it('never leaves the root, whatever the key', () => {
    const samples = ['a/b', '..a/b..', '...', 'x/...', '%2E%2E/x', 'a/%2F/b'];
    for (const key of samples) {
      const p = keyToPath(root, key);
      expect(p.startsWith(`${root}/`), key).toBe(true);
      expect(path.relative(root, p).split(path.sep)).not.toContain('..');
    }
  });
});
