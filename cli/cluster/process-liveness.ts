// Whether a recorded pid is still the process `strata cluster up` started: it exists, is not a zombie
// and, where /proc exists, has the start time recorded at launch — so a reused pid is never signalled.
import fs from 'node:fs';
import { delay } from '../../common/index.js';

export interface ProcStat {
  /** R, S, D, T, Z (zombie), X (dead), … */
  state: string;
  /** Clock ticks after boot; fixed for the life of the process. */
  startTime: number;
}

/** Fields 3 (state) and 22 (starttime) of /proc/PID/stat; the command name before them may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(' ');
  const state = fields[0];
  const startTime = Number(fields[19]);
  if (!state || !Number.isSafeInteger(startTime)) return undefined;
  return { state, startTime };
}

const hasProc = fs.existsSync('/proc/self/stat');

/** undefined without /proc (or when the process is gone). */
function procStat(pid: number): ProcStat | undefined {
  if (!hasProc) return undefined;
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The start time to record for a process just launched (undefined where there is no /proc). */
export function processStartTime(pid: number): number | undefined {
  return procStat(pid)?.startTime;
}

export interface Pid {
  pid: number | null;
  startTime?: number;
}

export function isRunning({ pid, startTime }: Pid): boolean {
  if (pid === null || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false; // ESRCH: gone; EPERM: another user's process, so not ours
  }
  if (!hasProc) return true;
  const stat = procStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** Sends `signal` to the process if it is still ours; false when it was already gone. */
export function signalProcess(p: Pid, signal: NodeJS.Signals): boolean {
  if (!isRunning(p) || p.pid === null) return false;
  try {
    process.kill(p.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Polls until none of `processes` runs or `timeoutMs` passes; resolves with those still running. */
export async function untilGone<T extends Pid>(processes: readonly T[], timeoutMs: number): Promise<T[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const running = processes.filter(isRunning);
    if (running.length === 0 || Date.now() >= end) return running;
    await delay(50);
  }
}
