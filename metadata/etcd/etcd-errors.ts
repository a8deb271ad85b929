// Translates the etcd3 package's errors into the store's typed errors (the one boundary where we
// inspect a foreign library's error classes).
import { EtcdLeaseInvalidError, GRPCGenericError, ClientClosedError, isRecoverableError } from 'etcd3';
import { MetadataError, SessionExpiredError, StoreClosedError, StoreUnavailableError } from '../errors.js';

export function translateEtcdError(err: unknown, what: string, sessionId?: string): Error {
  if (err instanceof MetadataError) return err;
  if (err instanceof EtcdLeaseInvalidError) return new SessionExpiredError(sessionId ?? 'unknown', undefined, { cause: err });
  if (err instanceof ClientClosedError) return new StoreClosedError();
  if (err instanceof Error && (err instanceof GRPCGenericError || isRecoverableError(err))) {
    return new StoreUnavailableError(`etcd ${what} failed: ${err.message}`, { cause: err });
  }
  if (err instanceof Error) return new StoreUnavailableError(`etcd ${what} failed: ${err.message}`, { cause: err });
  return new StoreUnavailableError(`etcd ${what} failed: ${String(err)}`);
}
