// Translates file-system errors of the local directory store into the typed object-store errors;
// anything that is not a file-system error (e.g. thrown by a caller's part iterable) passes unchanged.
import { ObjectStoreAuthError, ObjectStoreError, ObjectStoreUnavailableError } from './errors.js';

export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isMissing(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** EACCES/EPERM → ObjectStoreAuthError; every other errno (ENOSPC, EIO, EMFILE, …) → ObjectStoreUnavailableError. */
export function mapFsError(err: unknown, what: string): unknown {
  if (err instanceof ObjectStoreError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = errnoCode(err);
  if (!(err instanceof Error) || code === undefined || e.syscall === undefined) return err;
  if (code === 'EACCES' || code === 'EPERM') {
    return new ObjectStoreAuthError(`${what}: permission denied on ${e.path ?? 'the store directory'}`, { cause: err });
  }
  return new ObjectStoreUnavailableError(`${what}: ${e.syscall} failed with ${code}`, { cause: err });
}
