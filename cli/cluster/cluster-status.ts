// `strata cluster status` (and what `up` prints when done): each process of a local cluster with its
// role, id, pid, whether it runs, and where it answers; as a table for people or one JSON document.
import type { ClusterFile, ProcessRecord } from './cluster-file.js';
import { isRunning } from './process-liveness.js';
import { textTable } from '../text-table.js';

/** A process as `status --json` shows it: its record without the command line and start time, plus `alive`. */
export type ProcessStatus = ProcessRecord extends infer R ? (R extends ProcessRecord ? Omit<R, 'command' | 'startTime'> & { alive: boolean } : never) : never;

export interface ClusterStatus {
  dir: string;
  state: ClusterFile['state'];
  quorum: ClusterFile['quorum'];
  processes: ProcessStatus[];
}

export function clusterStatus(dir: string, cluster: ClusterFile): ClusterStatus {
  return {
    dir,
    state: cluster.state,
    quorum: cluster.quorum,
    processes: cluster.processes.map((p) => {
      const { command: _command, startTime: _startTime, role, id, pid, ...where } = p;
      return { role, id, pid, alive: isRunning(p), ...where } as ProcessStatus;
    }),
  };
}

/** Where a process answers, in one short string. */
export function addressOf(record: ProcessRecord | ProcessStatus): string {
  switch (record.role) {
    case 'etcd':
      return record.clientUrl;
    case 's3':
      return `${record.endpoint} (bucket ${record.bucket})`;
    case 'bookie':
      return record.address;
    case 'broker':
      return `${record.httpUrl} ${record.binaryUrl}`;
  }
}

export function statusTable(status: ClusterStatus): string {
  return textTable(
    ['ROLE', 'ID', 'PID', 'ALIVE', 'ADDRESS'],
    status.processes.map((p) => [p.role, p.id, p.pid ?? '-', p.alive ? 'yes' : 'no', addressOf(p)]),
  );
}
