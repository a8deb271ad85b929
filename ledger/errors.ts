// Typed errors of the ledger client.
import { StrataError } from '../common/index.js';

export abstract class LedgerError extends StrataError {}

/** The ledger is being recovered or was closed by someone else: this writer can confirm nothing more. */
export class LedgerFencedError extends LedgerError {
  readonly code = 'LEDGER_FENCED';
  readonly retriable = false;
}

/** The handle was closed (or failed) before the operation; entries not confirmed may or may not exist. */
export class LedgerClosedError extends LedgerError {
  readonly code = 'LEDGER_CLOSED';
  readonly retriable = false;
}

export class LedgerNotFoundError extends LedgerError {
  readonly code = 'LEDGER_NOT_FOUND';
  readonly retriable = false;
}

/** Fewer live bookies than the ensemble needs; retry when bookies return. */
export class NotEnoughBookiesError extends LedgerError {
  readonly code = 'NOT_ENOUGH_BOOKIES';
  readonly retriable = true;
}

/** The writer lost a bookie and has no spare: the ledger was closed; roll to a new one. */
export class LedgerNeedsRollError extends LedgerError {
  readonly code = 'LEDGER_NEEDS_ROLL';
  readonly retriable = true;
}

/** Too many adds in flight on this handle; wait for capacity. */
export class TooManyPendingAddsError extends LedgerError {
  readonly code = 'TOO_MANY_PENDING_ADDS';
  readonly retriable = true;
}

/** Recovery could not establish the facts it needs (too many bookies unreachable or unsure); try again later. */
export class RecoveryIncompleteError extends LedgerError {
  readonly code = 'RECOVERY_INCOMPLETE';
  readonly retriable = true;
}

/** No replica could serve a read. */
export class ReadFailedError extends LedgerError {
  readonly code = 'READ_FAILED';
  readonly retriable = true;
}

/** A read asked for entries beyond what the ledger has confirmed. */
export class EntryOutOfRangeError extends LedgerError {
  readonly code = 'ENTRY_OUT_OF_RANGE';
  readonly retriable = false;
}

/** Invalid arguments (quorums, sizes). */
export class InvalidLedgerArgumentError extends LedgerError {
  readonly code = 'INVALID_LEDGER_ARGUMENT';
  readonly retriable = false;
}

/** Auto-recovery could not copy a fragment this round (a replacement refused a copy); it is retried next round. */
export class ReplicationFailedError extends LedgerError {
  readonly code = 'REPLICATION_FAILED';
  readonly retriable = true;
}
