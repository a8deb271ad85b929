// How failures of the binary client (client/errors.ts) become the command line's typed errors, and so its
// exit codes (cli/errors.ts): unreachable 2, unknown topic 3, refused 4, a bad argument 1.
import { BrokerRequestError, ConnectionError, InvalidArgumentError, TimeoutError } from '../../client/index.js';
import { BrokerRefusedError, CliError, EXIT_CODES, ServerUnreachableError, UsageError } from '../errors.js';
import { networkReason } from '../network-reason.js';

/** `err` as a CliError where it is a client failure; anything else unchanged. `topic` names what was asked for. */
export function cliErrorOf(err: unknown, url: string, topic: string): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof ConnectionError) {
    return new ServerUnreachableError(`cannot reach Strata at ${url} (${networkReason(err)}); is it running? (set --url or STRATA_BINARY_URL)`, { cause: err });
  }
  if (err instanceof TimeoutError) return new ServerUnreachableError(`no answer from ${url} in time: ${err.message}`, { cause: err });
  if (err instanceof BrokerRequestError) {
    const message = err.code === 'TOPIC_NOT_FOUND' ? `topic ${topic} does not exist (create it with strata admin topics create, or perf produce --partitions N)` : `${err.message} (${err.code})`;
    return new BrokerRefusedError(err.code, message, err.retriable, { cause: err });
  }
  if (err instanceof InvalidArgumentError) return new UsageError(err.message, { cause: err });
  return err;
}


/** Sends failed during a run (it stops sending at the first); exits with the first failure's code, else 4. */
export class SendsFailedError extends CliError {
  readonly code = 'SENDS_FAILED';
  readonly retriable = true;
  readonly exitCode: number;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.exitCode = cause instanceof CliError ? cause.exitCode : EXIT_CODES.refused;
  }
}
