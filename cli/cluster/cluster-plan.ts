// The local cluster's topology — that of docker-compose.yml: one etcd, one S3 server (s3rver standing in
// for MinIO) with the tiering bucket, N bookies, M brokers tiering to it — as process records with their
// command lines and environments. Pure: ports and paths come in, so it is tested without starting anything.
import path from 'node:path';
import type { BookieRecord, BrokerRecord, ClusterFile, EtcdRecord, ProcessRecord, Role, S3Record } from './cluster-file.js';

export interface ClusterSpec {
  /** Absolute. */
  dir: string;
  bookies: number;
  brokers: number;
  sessionTtlMs: number;
  logLevel: string;
}

/** How to run each kind of process on this machine. */
export interface Runtime {
  /** The node executable. */
  node: string;
  /** Node arguments that run `strata`: [--import, tsx, …/cli/main.ts] from source, […/dist/cli/main.js] when built. */
  strata: string[];
  s3rver: string;
  etcd: string;
}

export const ETCD_NAMESPACE = '/strata';
export const S3_BUCKET = 'strata';
export const S3_REGION = 'us-east-1';
/** s3rver knows one account and rejects any other access key. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
const HOST = '127.0.0.1';

/** The design's cluster default E2/Qw2/Qa2; one bookie can only hold one copy. */
export function quorumFor(bookies: number): ClusterFile['quorum'] {
  const q = Math.min(2, bookies);
  return { ensembleSize: q, writeQuorum: q, ackQuorum: q };
}

export const bookieId = (n: number) => `bookie-${n}`;
export const brokerId = (n: number) => `broker-${n}`;

/** Every port the cluster listens on, as [process id, port name]. */
export function portsNeeded(spec: Pick<ClusterSpec, 'bookies' | 'brokers'>): Array<[string, string]> {
  const ports: Array<[string, string]> = [['etcd', 'client'], ['etcd', 'peer'], ['s3', 'http']];
  for (let n = 1; n <= spec.bookies; n++) ports.push([bookieId(n), 'bookie'], [bookieId(n), 'metrics']);
  for (let n = 1; n <= spec.brokers; n++) ports.push([brokerId(n), 'http'], [brokerId(n), 'binary']);
  return ports;
}

export type PortOf = (id: string, name: string) => number;

/** The cluster to start, every pid still null. Start order: etcd and s3, then the bookies, then the brokers. */
export function planCluster(spec: ClusterSpec, runtime: Runtime, portOf: PortOf): ClusterFile {
  const logOf = (id: string) => path.join(spec.dir, 'logs', `${id}.log`);
  const quorum = quorumFor(spec.bookies);

  const client = portOf('etcd', 'client');
  const peer = portOf('etcd', 'peer');
  const clientUrl = `http://${HOST}:${client}`;
  const peerUrl = `http://${HOST}:${peer}`;
  const etcdDir = path.join(spec.dir, 'etcd');
  const etcd: EtcdRecord = {
    role: 'etcd', id: 'etcd', pid: null, ports: { client, peer }, log: logOf('etcd'), clientUrl, peerUrl, dataDir: etcdDir,
    command: [
      runtime.etcd, '--name', 'etcd', '--data-dir', etcdDir,
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `etcd=${peerUrl}`, '--initial-cluster-state', 'new', '--initial-cluster-token', 'strata-cluster',
      '--logger=zap', '--log-level=warn',
    ],
  };

  const s3Port = portOf('s3', 'http');
  const s3Dir = path.join(spec.dir, 's3');
  const s3: S3Record = {
    role: 's3', id: 's3', pid: null, ports: { http: s3Port }, log: logOf('s3'), endpoint: `http://${HOST}:${s3Port}`,
    bucket: S3_BUCKET, region: S3_REGION, ...S3RVER_CREDENTIALS, dataDir: s3Dir,
    // node itself, not npx, so the recorded pid is the server's; without the legacy provider paged listings fail.
    command: [runtime.node, '--openssl-legacy-provider', runtime.s3rver, '-d', s3Dir, '-a', HOST, '-p', String(s3Port), '--silent', '--configure-bucket', S3_BUCKET],
  };

  const cluster = ['--etcd', clientUrl, '--etcd-namespace', ETCD_NAMESPACE, '--session-ttl-ms', String(spec.sessionTtlMs), '--log-level', spec.logLevel];
  const bookies: BookieRecord[] = [];
  for (let n = 1; n <= spec.bookies; n++) {
    const id = bookieId(n);
    const [port, metrics] = [portOf(id, 'bookie'), portOf(id, 'metrics')];
    const dataDir = path.join(spec.dir, id);
    bookies.push({
      role: 'bookie', id, pid: null, ports: { bookie: port, metrics }, log: logOf(id), address: `${HOST}:${port}`, metricsUrl: `http://${HOST}:${metrics}/metrics`, dataDir,
      command: [runtime.node, ...runtime.strata, 'bookie', '--id', id, '--data-dir', dataDir, '--host', HOST, '--port', String(port), '--metrics-port', String(metrics), ...cluster],
    });
  }

  const brokers: BrokerRecord[] = [];
  for (let n = 1; n <= spec.brokers; n++) {
    const id = brokerId(n);
    const [http, binary] = [portOf(id, 'http'), portOf(id, 'binary')];
    brokers.push({
      role: 'broker', id, pid: null, ports: { http, binary }, log: logOf(id), httpUrl: `http://${HOST}:${http}`, binaryUrl: `strata://${HOST}:${binary}`,
      command: [
        runtime.node, ...runtime.strata, 'broker', '--id', id, '--http-host', HOST, '--http-port', String(http), '--binary-port', String(binary), ...cluster,
        '--ensemble-size', String(quorum.ensembleSize), '--write-quorum', String(quorum.writeQuorum), '--ack-quorum', String(quorum.ackQuorum),
        '--s3-bucket', S3_BUCKET, '--s3-endpoint', s3.endpoint, '--s3-region', S3_REGION,
      ],
    });
  }

  return {
    version: 1,
    state: 'starting',
    updatedAt: new Date().toISOString(),
    etcdNamespace: ETCD_NAMESPACE,
    sessionTtlMs: spec.sessionTtlMs,
    quorum,
    processes: [etcd, s3, ...bookies, ...brokers],
  };
}

/** The groups `up` starts one after another, each once the one before is ready (docker-compose's depends_on). */
export const START_PHASES: readonly (readonly Role[])[] = [['etcd', 's3'], ['bookie'], ['broker']];
/** The groups `down` stops one after another: no broker writes to a stopped bookie, nothing loses etcd early. */
export const STOP_PHASES: readonly (readonly Role[])[] = [['broker'], ['bookie'], ['s3', 'etcd']];

/**
 * The environment of a process of role `role`: the launcher's, without the STRATA_* variables (every
 * setting is a flag above, and a stray STRATA_HTTP_HOST or advertised URL would break the topology),
 * without ETCD_* (etcd exits when one duplicates a flag), and for brokers with s3rver's credentials.
 */
export function processEnv(record: ProcessRecord, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('STRATA_') || k.startsWith('ETCD_')) continue;
    if (record.role === 'broker' && k.startsWith('AWS_')) continue;
    if (record.role === 's3' && k === 'NODE_OPTIONS') continue; // no loaders of ours in the S3 server
    env[k] = v;
  }
  if (record.role === 'broker') {
    env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  }
  return env;
}
