// Typed errors of tiering (offloader, sweeper, readers of offloaded ledgers). Damaged or unknown
// objects are the store's ObjectCorruptError; these name what only tiering can tell.
import { StrataError } from '../../common/index.js';

export abstract class TieringError extends StrataError {}

/**
 * The bytes read for an offload did not match: entries missing or out of order, fewer than the
 * metadata says, or two reads of the same closed ledger that differ. Nothing was recorded; a new
 * attempt may succeed (a replica may have answered wrong).
 */
export class OffloadMismatchError extends TieringError {
  readonly code = 'OFFLOAD_MISMATCH';
  readonly retriable = true;
}

/** An uploaded object does not verify (size, checksum, format): it is not recorded, and is deleted. */
export class OffloadVerificationError extends TieringError {
  readonly code = 'OFFLOAD_VERIFICATION_FAILED';
  readonly retriable = true;
}

/**
 * The object a ledger's metadata records is missing or differs from the record (fresh check before
 * deleting bookie copies). The bookie copies are kept; an operator must look: this never heals by itself.
 */
export class OffloadedObjectMismatchError extends TieringError {
  readonly code = 'OFFLOADED_OBJECT_MISMATCH';
  readonly retriable = true;
}

/** The offloader's intent vanished before the offload was recorded (its session expired): the attempt is void. */
export class OffloadIntentLostError extends TieringError {
  readonly code = 'OFFLOAD_INTENT_LOST';
  readonly retriable = true;
}

/** The outcome of recording an offload is unknown (the metadata store did not answer); nothing is deleted. */
export class OffloadOutcomeUnknownError extends TieringError {
  readonly code = 'OFFLOAD_OUTCOME_UNKNOWN';
  readonly retriable = true;
}

/** The ledger cannot be offloaded (not CLOSED); offloading it later may work. */
export class LedgerNotOffloadableError extends TieringError {
  readonly code = 'LEDGER_NOT_OFFLOADABLE';
  readonly retriable = false;
}

/** The ledger's metadata records no offload: there is nothing in the object store to read. */
export class LedgerNotOffloadedError extends TieringError {
  readonly code = 'LEDGER_NOT_OFFLOADED';
  readonly retriable = false;
}

/** The offloader was closed. */
export class OffloaderClosedError extends TieringError {
  readonly code = 'OFFLOADER_CLOSED';
  readonly retriable = false;
  constructor() {
    super('offloader is closed');
  }
}
