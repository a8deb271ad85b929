// Stopping the processes of a local cluster by pid, in STOP_PHASES order: SIGTERM (each shuts down
// cleanly: brokers release their partitions, bookies checkpoint), SIGKILL after the grace period.
// Idempotent: a process already gone, or whose pid now belongs to another process, is left alone.
import type { ProcessRecord } from './cluster-file.js';
import { STOP_PHASES } from './cluster-plan.js';
import { isRunning, signalProcess, untilGone } from './process-liveness.js';

/** How long a SIGKILLed process may take to disappear before `down` gives up on it. */
const KILL_WAIT_MS = 5000;

export interface StopResult {
  /** Ids of the processes that exited on SIGTERM. */
  stopped: string[];
  /** Ids of the processes SIGKILLed after the grace period. */
  killed: string[];
  /** Ids of the processes still running after SIGKILL (not expected). */
  stuck: string[];
}

export async function stopProcesses(processes: readonly ProcessRecord[], graceMs: number): Promise<StopResult> {
  const result: StopResult = { stopped: [], killed: [], stuck: [] };
  for (const roles of STOP_PHASES) {
    const running = processes.filter((p) => roles.includes(p.role) && isRunning(p));
    if (running.length === 0) continue;
    for (const p of running) {
      signalProcess(p, 'SIGCONT'); // a paused process cannot act on SIGTERM
      signalProcess(p, 'SIGTERM');
    }
    const lingering = await untilGone(running, graceMs);
    for (const p of running) if (!lingering.includes(p)) result.stopped.push(p.id);
    for (const p of lingering) signalProcess(p, 'SIGKILL');
    const stuck = await untilGone(lingering, KILL_WAIT_MS);
    for (const p of lingering) (stuck.includes(p) ? result.stuck : result.killed).push(p.id);
  }
  return result;
}
