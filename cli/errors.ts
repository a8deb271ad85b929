// The command line's failures and the exit code each one ends the process with (docs/cli.md, "Exit codes").
import { StrataError } from '../common/index.js';

/** Exit codes of `strata`: scripts may switch on them. Commander's own usage errors exit 1 too. */
export const EXIT_CODES = {
  ok: 0,
  /** Bad usage or an invalid setting, or any failure not listed below. */
  failure: 1,
  /** The server could not be reached, or did not answer in time. */
  unreachable: 2,
  /** The topic or subscription does not exist (HTTP 404, or TOPIC_NOT_FOUND over the binary protocol). */
  notFound: 3,
  /** The server refused or failed the request (any other HTTP error). */
  refused: 4,
} as const;

export abstract class CliError extends StrataError {
  abstract readonly exitCode: number;
}

/** A setting (flag or STRATA_* variable) is missing, malformed or out of range. */
export class ConfigError extends CliError {
  readonly code = 'INVALID_CONFIG';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** An argument of a command (not a setting) is malformed: a topic name, a property, a count. */
export class UsageError extends CliError {
  readonly code = 'BAD_USAGE';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** No answer: connection refused, unknown host, reset, or no answer within the deadline. */
export class ServerUnreachableError extends CliError {
  readonly code = 'SERVER_UNREACHABLE';
  readonly retriable = true;
  readonly exitCode = EXIT_CODES.unreachable;
}

/** The server answered with an error body `{"error": {"code", "message"}}` (http-api.md, "Conventions"). */
export class ApiError extends CliError {
  readonly retriable: boolean;
  readonly exitCode: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds the server asked us to wait before a retry (503s). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.retriable = status === 503;
    this.exitCode = status === 404 ? EXIT_CODES.notFound : EXIT_CODES.refused;
  }
}

/** A broker answered a binary-protocol request with an error; `code` is the wire code (TOPIC_NOT_FOUND, …). */
export class BrokerRefusedError extends CliError {
  readonly exitCode: number;

  constructor(
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.exitCode = code === 'TOPIC_NOT_FOUND' || code === 'SUBSCRIPTION_NOT_FOUND' ? EXIT_CODES.notFound : EXIT_CODES.refused;
  }
}
