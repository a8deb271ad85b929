// Starts one process of a local cluster so that it outlives `strata cluster up`: detached (its own process
// group, no terminal signals), stdin closed, stdout and stderr appended to its log file; and notes how it
// exits while `up` still runs.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { ProcessRecord } from './cluster-file.js';

export interface Launched {
  record: ProcessRecord;
  child: ChildProcess;
  /** Set once the process has exited (or could not be spawned), while `up` runs. */
  exit: string | undefined;
}

export function launch(record: ProcessRecord, env: NodeJS.ProcessEnv, cwd: string): Launched {
  const [file, ...args] = record.command;
  if (!file) throw new Error(`${record.id}: empty command`);
  const log = fs.openSync(record.log, 'a');
  let child: ChildProcess;
  try {
    fs.writeSync(log, `--- ${new Date().toISOString()} strata cluster up: ${record.command.join(' ')}\n`);
    child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', log, log] });
  } finally {
    fs.closeSync(log); // the child holds its own copy
  }
  const launched: Launched = { record, child, exit: undefined };
  child.once('error', (err) => (launched.exit ??= `could not be started: ${err.message}`));
  child.once('exit', (code, signal) => (launched.exit ??= signal ? `was killed by ${signal}` : `exited with code ${code}`));
  child.unref();
  return launched;
}

/** The last `lines` lines of a log file, for the message of a failed start. */
export function logTail(file: string, lines = 20): string {
  try {
    const size = fs.statSync(file).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, buffer, 0, length, size - length);
    } finally {
      fs.closeSync(fd);
    }
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
