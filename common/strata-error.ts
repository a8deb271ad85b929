// The base of every typed error in Strata: a stable string `code`, whether a retry may succeed, and a cause.

export interface StrataErrorOptions {
  cause?: unknown;
}

export abstract class StrataError extends Error {
  /** A stable, documented identifier (`BAD_VERSION`, `LEDGER_FENCED`, …) that callers switch on. */
  abstract readonly code: string;
  /** True when the same operation may succeed if tried again later. */
  abstract readonly retriable: boolean;

  constructor(message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}
