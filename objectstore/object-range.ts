// The checks on a ranged read that need no I/O, shared by every backend so they refuse the same ranges.
import { InvalidRangeError } from './errors.js';

/** Throws InvalidRangeError unless 0 <= start <= endInclusive, both safe integers. */
export function validateRange(key: string, start: number, endInclusive: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive) || start < 0 || start > endInclusive) {
    throw new InvalidRangeError(`invalid range ${start}-${endInclusive} of ${JSON.stringify(key)}`);
  }
}

/** The range past the object's end: `start` at or beyond `size` (which includes any range of an empty object). */
export function rangeNotSatisfiable(key: string, start: number, endInclusive: number, size: number, options?: { cause?: unknown }): InvalidRangeError {
  return new InvalidRangeError(`range ${start}-${endInclusive} of ${JSON.stringify(key)} starts at or past its size ${size}`, options);
}
