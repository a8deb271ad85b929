// `strata cluster up`: starts etcd, the S3 server, the bookies and the brokers of a local cluster as
// detached processes, phase by phase, and returns once every one is ready. cluster.json names every
// process from the moment it exists, so `down` can stop a half-started cluster; on any failure (a
// process exits, the deadline passes, Ctrl-C) up stops what it started itself before reporting.
import fs from 'node:fs/promises';
import path from 'node:path';
import { delay } from '../../common/index.js';
import type { MetadataStore } from '../../metadata/index.js';
import { CliError } from '../errors.js';
import { openMetadataStore } from '../metadata-options.js';
import { ClusterRunningError, ClusterStartError } from './cluster-errors.js';
import { readClusterFile, writeClusterFile, type ClusterFile, type EtcdRecord, type ProcessRecord } from './cluster-file.js';
import { planCluster, portsNeeded, processEnv, START_PHASES, type ClusterSpec } from './cluster-plan.js';
import { resolveRuntime } from './cluster-runtime.js';
import { stopProcesses } from './cluster-stop.js';
import { addressOf } from './cluster-status.js';
import { allocatePorts } from './loopback-ports.js';
import { launch, logTail, type Launched } from './process-launcher.js';
import { isRunning, processStartTime } from './process-liveness.js';
import { probeFor, type Probe } from './readiness.js';

export interface UpOptions extends ClusterSpec {
  /** For the whole start, every phase (`dir` may be relative here). */
  timeoutMs: number;
}

/** A failed start stops what it started sooner than `down`: nothing in it holds data worth a clean stop yet. */
const FAILED_START_GRACE_MS = 3000;
const POLL_MS = 100;

export async function clusterUp(options: UpOptions, progress: (line: string) => void): Promise<ClusterFile> {
  const dir = path.resolve(options.dir);
  const previous = await readClusterFile(dir);
  const live = previous?.processes.filter(isRunning) ?? [];
  if (live.length > 0) {
    const names = live.map((p) => `${p.id} (pid ${p.pid})`).join(', ');
    throw new ClusterRunningError(`a cluster is already running in ${dir}: ${names}; stop it first with \`strata cluster down --dir ${options.dir}\``);
  }
  const runtime = resolveRuntime();
  const spec: ClusterSpec = { ...options, dir };
  const cluster = planCluster(spec, runtime, await allocatePorts(portsNeeded(spec), previous));
  await fs.mkdir(path.join(dir, 'logs'), { recursive: true });
  for (const p of cluster.processes) if (p.role === 's3' || p.role === 'bookie') await fs.mkdir(p.dataDir, { recursive: true });
  await writeClusterFile(dir, cluster);

  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const aborter = new AbortController();
  const onSignal = () => aborter.abort(new ClusterStartError('interrupted: stopped every process cluster up had started'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const etcd = cluster.processes.find((p): p is EtcdRecord => p.role === 'etcd')!;
  let store: Promise<MetadataStore> | undefined;
  const openStore = () => (store ??= openMetadataStore({ etcd: [etcd.clientUrl], etcdNamespace: cluster.etcdNamespace }));
  const closeStore = async () => {
    if (store) await (await store).close().catch(() => undefined);
    store = undefined;
  };

  try {
    for (const roles of START_PHASES) {
      const phase = cluster.processes.filter((p) => roles.includes(p.role)).map((record) => start(record, runtime.cwd));
      await writeClusterFile(dir, cluster);
      await Promise.all(
        phase.map(async (launched) => {
          await untilReady(launched, probeFor(launched.record, openStore), deadline, options.timeoutMs, aborter.signal);
          progress(`${launched.record.id} ready: ${addressOf(launched.record)} (pid ${launched.record.pid}, ${seconds(Date.now() - started)})`);
        }),
      );
    }
  } catch (err) {
    aborter.abort(); // the other waits of the phase stop
    await closeStore();
    await stopProcesses(cluster.processes, FAILED_START_GRACE_MS);
    for (const p of cluster.processes) forget(p);
    cluster.state = 'failed';
    await writeClusterFile(dir, cluster);
    if (err instanceof CliError) throw err;
    throw new ClusterStartError(`cluster up failed: ${(err as Error).message}; stopped every process it had started`, { cause: err });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeStore();
  }
  cluster.state = 'running';
  await writeClusterFile(dir, cluster);
  return cluster;
}

function start(record: ProcessRecord, cwd: string): Launched {
  const launched = launch(record, processEnv(record, process.env), cwd);
  record.pid = launched.child.pid ?? null;
  const startTime = record.pid === null ? undefined : processStartTime(record.pid);
  if (startTime !== undefined) record.startTime = startTime;
  return launched;
}

function forget(record: ProcessRecord): void {
  record.pid = null;
  delete record.startTime;
}

async function untilReady(launched: Launched, probe: Probe, deadline: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    if (launched.exit !== undefined) throw startFailure(launched, `${launched.exit} before it was ready`);
    if (await probe.ready().catch(() => false)) return;
    if (Date.now() >= deadline) throw startFailure(launched, `was not ready within ${timeoutMs} ms (waited for ${probe.what})`);
    await delay(POLL_MS, signal);
  }
}

function startFailure({ record }: Launched, what: string): ClusterStartError {
  return new ClusterStartError(
    `${record.role} ${record.id} (pid ${record.pid ?? 'none'}) ${what}; stopped every process cluster up had started.\n` +
      `Last lines of ${record.log}:\n${logTail(record.log)}`,
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
