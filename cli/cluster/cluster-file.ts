// DIR/cluster.json: what `strata cluster up` started — each process's role, id, pid, ports, URLs, log
// and command line — for `status` and `down`. Always written whole and renamed into place.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClusterFileError } from './cluster-errors.js';

export const CLUSTER_FILE = 'cluster.json';

export type Role = 'etcd' | 's3' | 'bookie' | 'broker';

interface ProcessBase {
  id: string;
  /** null before the process is started and once it is stopped. */
  pid: number | null;
  /** Linux: the process's start time (/proc/PID/stat), which tells it from a later process reusing the pid. */
  startTime?: number;
  ports: Record<string, number>;
  /** Its standard output and error, appended across runs. */
  log: string;
  /** What runs: the executable, then its arguments. */
  command: string[];
}

export interface EtcdRecord extends ProcessBase {
  role: 'etcd';
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
}

export interface S3Record extends ProcessBase {
  role: 's3';
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver's one fixed account, which the brokers use. */
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
}

export interface BookieRecord extends ProcessBase {
  role: 'bookie';
  address: string;
  metricsUrl: string;
  dataDir: string;
}

export interface BrokerRecord extends ProcessBase {
  role: 'broker';
  httpUrl: string;
  binaryUrl: string;
}

export type ProcessRecord = EtcdRecord | S3Record | BookieRecord | BrokerRecord;

/** starting → running (all ready) | failed (up stopped what it started); running → stopped (down). */
export type ClusterState = 'starting' | 'running' | 'failed' | 'stopped';

export interface ClusterFile {
  version: 1;
  state: ClusterState;
  updatedAt: string;
  etcdNamespace: string;
  sessionTtlMs: number;
  quorum: { ensembleSize: number; writeQuorum: number; ackQuorum: number };
  processes: ProcessRecord[];
}

export function clusterFilePath(dir: string): string {
  return path.join(dir, CLUSTER_FILE);
}

/** The cluster recorded in `dir`, or undefined when there is none; ClusterFileError when it is unreadable. */
export async function readClusterFile(dir: string): Promise<ClusterFile | undefined> {
  const file = clusterFilePath(dir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new ClusterFileError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ClusterFileError(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isClusterFile(parsed)) throw new ClusterFileError(`${file} was not written by this version of strata cluster`);
  return parsed;
}

function isClusterFile(value: unknown): value is ClusterFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ClusterFile>;
  return (
    v.version === 1 &&
    Array.isArray(v.processes) &&
    v.processes.every((p: Partial<ProcessRecord> | null) => typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.role === 'string' && (p.pid === null || typeof p.pid === 'number'))
  );
}

/** Replaces cluster.json atomically: readers see the old file or the new one, never part of one. */
export async function writeClusterFile(dir: string, cluster: ClusterFile): Promise<void> {
  const file = clusterFilePath(dir);
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify({ ...cluster, updatedAt: new Date().toISOString() }, null, 2) + '\n');
  await fs.rename(temp, file);
}
