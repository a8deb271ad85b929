// `strata cluster down`: stops the processes cluster.json names (cluster-stop.ts) and forgets their pids;
// logs and data stay for the next `up` unless purged. Running it again, or on a stopped cluster, is fine.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClusterStopError } from './cluster-errors.js';
import { clusterFilePath, readClusterFile, writeClusterFile, type ClusterFile } from './cluster-file.js';
import { stopProcesses, type StopResult } from './cluster-stop.js';

export interface DownOptions {
  dir: string;
  graceMs: number;
  purge: boolean;
}

export interface DownResult extends Omit<StopResult, 'stuck'> {
  /** False when the directory holds no cluster. */
  found: boolean;
  /** Ids of the processes recorded with a pid that were no longer running. */
  gone: string[];
  purged: boolean;
}

export async function clusterDown({ dir: given, graceMs, purge }: DownOptions): Promise<DownResult> {
  const dir = path.resolve(given);
  const cluster = await readClusterFile(dir);
  if (!cluster) return { found: false, purged: false, gone: [], stopped: [], killed: [] };
  const recorded = cluster.processes.filter((p) => p.pid !== null).map((p) => p.id);
  const { stuck, ...result } = await stopProcesses(cluster.processes, graceMs);
  if (stuck.length > 0) throw new ClusterStopError(`${stuck.join(', ')} still running after SIGKILL; cluster.json is left as it was`);
  for (const p of cluster.processes) {
    p.pid = null;
    delete p.startTime;
  }
  cluster.state = 'stopped';
  await writeClusterFile(dir, cluster);
  if (purge) await purgeCluster(dir, cluster);
  const gone = recorded.filter((id) => !result.stopped.includes(id) && !result.killed.includes(id));
  return { found: true, purged: purge, gone, ...result };
}

/** Removes what `up` created — data directories, logs, cluster.json — and the directory if then empty; nothing outside it. */
async function purgeCluster(dir: string, cluster: ClusterFile): Promise<void> {
  const inside = (p: string) => {
    const rel = path.relative(dir, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  for (const p of cluster.processes) {
    for (const target of ['dataDir' in p ? p.dataDir : undefined, p.log]) {
      if (target !== undefined && inside(target)) await fs.rm(target, { recursive: true, force: true });
    }
  }
  await fs.rmdir(path.join(dir, 'logs')).catch(() => undefined);
  await fs.rm(clusterFilePath(dir), { force: true });
  await fs.rmdir(dir).catch(() => undefined);
}
