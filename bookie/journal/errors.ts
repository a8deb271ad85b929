// Typed errors of the bookie's journal. Only JournalOverloadedError is worth retrying; the others
// mean the journal (or its files) cannot be used as they are.
import { StrataError } from '../../common/index.js';

export abstract class JournalError extends StrataError {}

/**
 * A journal or checkpoint file starts with a magic number or format version this code does not
 * know: written by something else, or by a newer Strata. Nothing was read past the header.
 */
export class JournalFormatError extends JournalError {
  readonly code = 'JOURNAL_FORMAT';
  readonly retriable = false;
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/**
 * Journal data that was once acknowledged is damaged (a bad record followed by valid ones, a
 * missing file, a checkpoint pointing past the end). The bookie must not start: skipping would
 * silently lose acknowledged entries. `offset` is the byte offset of the damage in `file`.
 */
export class JournalCorruptError extends JournalError {
  readonly code = 'JOURNAL_CORRUPT';
  readonly retriable = false;
  constructor(readonly file: string, readonly offset: number, readonly reason: string) {
    super(`journal corrupt: ${file} at offset ${offset}: ${reason}`);
  }
}

/**
 * A write, sync or file creation failed. The journal is broken for good (an fsync is never
 * retried: after a failed fsync the kernel may have dropped the dirty pages), so every pending
 * and every later append is rejected with this error; restart the bookie to replay.
 */
export class JournalFailedError extends JournalError {
  readonly code = 'JOURNAL_FAILED';
  readonly retriable = false;
  constructor(cause: unknown) {
    super(`journal failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The journal was closed (or is closing); nothing more can be appended. */
export class JournalClosedError extends JournalError {
  readonly code = 'JOURNAL_CLOSED';
  readonly retriable = false;
  constructor() {
    super('journal is closed');
  }
}

/** Too many bytes are waiting for a sync; the append was not queued. Back off and retry. */
export class JournalOverloadedError extends JournalError {
  readonly code = 'JOURNAL_OVERLOADED';
  readonly retriable = true;
  constructor(readonly pendingBytes: number, readonly maxPendingBytes: number) {
    super(`journal has ${pendingBytes} bytes pending (limit ${maxPendingBytes})`);
  }
}

/** A record the journal refuses to write (ids out of range, too large). Nothing was queued. */
export class InvalidJournalRecordError extends JournalError {
  readonly code = 'JOURNAL_INVALID_RECORD';
  readonly retriable = false;
}

/** A checkpoint position that is not durable yet, or not a position of this journal. */
export class InvalidJournalPositionError extends JournalError {
  readonly code = 'JOURNAL_INVALID_POSITION';
  readonly retriable = false;
}
