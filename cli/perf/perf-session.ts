// What `perf produce` and `perf consume` share: parsers of their numeric arguments, and a session that connects
// the binary client, turns Ctrl-C into a graceful stop (a second Ctrl-C exits at once), maps client failures
// to exit codes, and always closes the client.
import { InvalidArgumentError } from 'commander';
import { connect, type StrataClient } from '../../client/index.js';
import { cliErrorOf } from './client-failure.js';

/** A decimal number in [min, max], e.g. seconds of --duration. */
export function numberParser(min: number, max: number, what = 'a number'): (raw: string) => number {
  return (raw) => {
    const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`It must be ${what} from ${min} to ${max}.`);
    return n;
  };
}

export interface PerfSession {
  client: StrataClient;
  /** Aborted by the first Ctrl-C or SIGTERM: stop, and report what was measured. */
  stop: AbortSignal;
}

/** Exit code after a second Ctrl-C (128 + SIGINT). */
const INTERRUPTED = 130;

export async function withPerfSession<T>(url: string, topic: string, body: (session: PerfSession) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(INTERRUPTED);
    process.stderr.write('stopping: waiting for what was sent (Ctrl-C again to quit at once)\n');
    stop.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let client: StrataClient | undefined;
  try {
    client = await connect(url, { clientName: 'strata-perf', operationTimeoutMs: 30_000 });
    return await body({ client, stop: stop.signal });
  } catch (err) {
    throw cliErrorOf(err, url, topic);
  } finally {
    await client?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
