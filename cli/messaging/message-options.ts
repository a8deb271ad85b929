// Parsers for the arguments of `strata produce` and `strata consume` that are not settings.
import { InvalidArgumentError } from 'commander';

/** `--property k=v`, repeatable: collects into one record (a later k wins). */
export function collectProperty(raw: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('It must be key=value with a non-empty key.');
  return { ...previous, [raw.slice(0, eq)]: raw.slice(eq + 1) };
}

export function integerParser(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`It must be an integer from ${min} to ${max}.`);
    return n;
  };
}
