// Waiting for a child process to become ready, failing at once (not at the deadline) if it exits first.
import type { ChildProcess } from 'node:child_process';

/** Resolves with `ready`, or rejects with `describeExit()` as soon as `child` exits before `ready` settles. */
export async function untilExit<T>(child: ChildProcess, describeExit: () => string, ready: Promise<T>): Promise<T> {
  let onExit: (() => void) | undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = () => reject(new Error(`${describeExit()} (exit ${child.exitCode ?? child.signalCode})`));
    if (child.exitCode !== null || child.signalCode !== null) onExit();
    else child.once('exit', onExit);
  });
  try {
    return await Promise.race([ready, exited]);
  } finally {
    if (onExit) child.off('exit', onExit);
    ready.catch(() => undefined);
    exited.catch(() => undefined);
  }
}
