// Maps object keys to paths under the local store's root and back, so that no key can escape the root
// and every key S3 allows (a and a/b both) has its own file: segments are percent-encoded to
// [A-Za-z0-9._-%] with no leading '.', directories are the bare encoded segments, and object files
// end in '~', which an encoded segment never contains. Names starting with '.' belong to the store.
import path from 'node:path';
import { InvalidObjectKeyError } from './errors.js';
import { validateObjectKey } from './object-key.js';

export const OBJECT_FILE_SUFFIX = '~';
/** Most file systems limit one name to 255 bytes. */
const MAX_NAME_BYTES = 255;
const RAW = /[A-Za-z0-9_.-]/;

export function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (RAW.test(ch) && !(out === '' && ch === '.')) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** The segment an encoded name stands for, or undefined when `name` is not one this store wrote. */
export function decodeSegment(name: string): string | undefined {
  if (name === '' || name.startsWith('.') || !/^(?:[A-Za-z0-9_.-]|%[0-9A-F]{2})+$/.test(name)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '%') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return encodeSegment(decoded) === name ? decoded : undefined;
}

/** The directory of encoded whole segments ("a/b" → "<root>/a/b"), with no validation of its own. */
export function segmentsToDir(root: string, segments: string[]): string {
  return path.join(root, ...segments.map(encodeSegment));
}

/** The file that holds `key`: validated, inside `root`, every name within the file-system limit. */
export function keyToPath(root: string, key: string): string {
  validateObjectKey(key);
  const segments = key.split('/');
  const names = segments.map(encodeSegment);
  names[names.length - 1] += OBJECT_FILE_SUFFIX;
  for (const name of names) {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new InvalidObjectKeyError(`a segment of ${JSON.stringify(key)} is too long for the local directory store once encoded`);
  }
  const full = path.join(root, ...names);
  // Belt and braces: validation already excludes every way out of the root.
  if (!full.startsWith(path.join(root, path.sep))) throw new InvalidObjectKeyError(`object key ${JSON.stringify(key)} maps outside the store`);
  return full;
}
