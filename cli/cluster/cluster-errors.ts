// The failures of `strata cluster up|down|status` and the exit code each ends the process with
// (docs/cli.md, "cluster"; codes from cli/errors.ts).
import { CliError, EXIT_CODES } from '../errors.js';

/** `etcd` is not on the PATH, or s3rver is not installed: nothing was started. */
export class MissingToolError extends CliError {
  readonly code = 'MISSING_TOOL';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** `up` into a directory whose cluster.json names processes that still run. */
export class ClusterRunningError extends CliError {
  readonly code = 'CLUSTER_RUNNING';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** A process exited or was not ready in time during `up`; everything `up` started has been stopped. */
export class ClusterStartError extends CliError {
  readonly code = 'CLUSTER_START_FAILED';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** `status` found a process of the cluster not running. */
export class ClusterDegradedError extends CliError {
  readonly code = 'CLUSTER_DEGRADED';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** No cluster.json in the directory: no cluster was ever started there. */
export class NoClusterError extends CliError {
  readonly code = 'NO_CLUSTER';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.notFound;
}

/** cluster.json exists but is not one `strata cluster` wrote. */
export class ClusterFileError extends CliError {
  readonly code = 'BAD_CLUSTER_FILE';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}

/** `down` signalled a process that would not exit even after SIGKILL. */
export class ClusterStopError extends CliError {
  readonly code = 'CLUSTER_STOP_FAILED';
  readonly retriable = false;
  readonly exitCode = EXIT_CODES.failure;
}
