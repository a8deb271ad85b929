// The local cluster's plan (cli/cluster): the topology of docker-compose.yml on loopback ports, the quorums
// for the number of bookies, the environment each process gets, and reading /proc/PID/stat.
import { describe, expect, it } from 'vitest';
import type { BrokerRecord, S3Record } from '../../../cli/cluster/cluster-file.js';
import { planCluster, portsNeeded, processEnv, quorumFor, type ClusterSpec, type Runtime } from '../../../cli/cluster/cluster-plan.js';
import { parseProcStat } from '../../../cli/cluster/process-liveness.js';

const runtime: Runtime = { node: '/usr/bin/node', strata: ['--import', 'tsx', '/repo/cli/main.ts'], s3rver: '/repo/node_modules/s3rver/bin/s3rver.js', etcd: '/usr/bin/etcd' };
const spec: ClusterSpec = { dir: '/tmp/c', bookies: 3, brokers: 2, sessionTtlMs: 2000, logLevel: 'warn' };

/** Distinct ports in the order they are asked for. */
function fakePorts(s: ClusterSpec) {
  const ports = new Map(portsNeeded(s).map(([id, name], i) => [`${id}/${name}`, 20_000 + i]));
  return (id: string, name: string) => ports.get(`${id}/${name}`)!;
}

const flag = (command: string[], name: string) => command[command.indexOf(name) + 1];

describe('local cluster plan', () => {
  it('has the topology of docker-compose.yml: etcd, s3, bookie-1..N, broker-1..M, each with its own log and data', () => {
    const cluster = planCluster(spec, runtime, fakePorts(spec));
    expect(cluster.processes.map((p) => `${p.role}:${p.id}`)).toEqual(['etcd:etcd', 's3:s3', 'bookie:bookie-1', 'bookie:bookie-2', 'bookie:bookie-3', 'broker:broker-1', 'broker:broker-2']);
    expect(cluster.processes.every((p) => p.pid === null && p.log === `/tmp/c/logs/${p.id}.log`)).toBe(true);
    expect(cluster.state).toBe('starting');
    const ports = cluster.processes.flatMap((p) => Object.values(p.ports));
    expect(new Set(ports).size).toBe(portsNeeded(spec).length);
  });

  it('points every bookie and broker at the etcd, and every broker at the S3 server with the tiering bucket', () => {
    const cluster = planCluster(spec, runtime, fakePorts(spec));
    const [etcd, s3] = cluster.processes as [{ clientUrl: string }, S3Record];
    for (const p of cluster.processes.filter((q) => q.role === 'bookie' || q.role === 'broker')) {
      expect(p.command.slice(0, 4)).toEqual(['/usr/bin/node', '--import', 'tsx', '/repo/cli/main.ts']);
      expect(flag(p.command, '--etcd')).toBe(etcd.clientUrl);
      expect(flag(p.command, '--session-ttl-ms')).toBe('2000');
      expect(flag(p.command, '--log-level')).toBe('warn');
    }
    const broker = cluster.processes[5] as BrokerRecord;
    expect(broker.command).toEqual(expect.arrayContaining(['broker', '--id', 'broker-1', '--http-host', '127.0.0.1']));
    expect(flag(broker.command, '--s3-endpoint')).toBe(s3.endpoint);
    expect(flag(broker.command, '--s3-bucket')).toBe('strata');
    expect(flag(s3.command, '--configure-bucket')).toBe('strata');
    expect(broker.httpUrl).toBe(`http://127.0.0.1:${flag(broker.command, '--http-port')}`);
    expect(broker.binaryUrl).toBe(`strata://127.0.0.1:${flag(broker.command, '--binary-port')}`);
  });

  it('listens on 127.0.0.1 only', () => {
    const cluster = planCluster(spec, runtime, fakePorts(spec));
    const urls = cluster.processes.flatMap((p) => p.command.filter((a) => /^https?:\/\//.test(a)));
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(new URL(u).hostname).toBe('127.0.0.1');
    for (const p of cluster.processes.filter((q) => q.role === 'bookie')) expect(flag(p.command, '--host')).toBe('127.0.0.1');
    expect(flag(cluster.processes[1]!.command, '-a')).toBe('127.0.0.1');
  });

  it('uses the cluster quorums E2/Qw2/Qa2, and 1/1/1 with a single bookie', () => {
    expect(quorumFor(3)).toEqual({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 });
    expect(quorumFor(2)).toEqual({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 });
    expect(quorumFor(1)).toEqual({ ensembleSize: 1, writeQuorum: 1, ackQuorum: 1 });
    const single = { ...spec, bookies: 1, brokers: 1 };
    const broker = planCluster(single, runtime, fakePorts(single)).processes.find((p) => p.role === 'broker')!;
    expect(['--ensemble-size', '--write-quorum', '--ack-quorum'].map((f) => flag(broker.command, f))).toEqual(['1', '1', '1']);
  });

  it("gives no process the launcher's STRATA_* or ETCD_* variables, and the brokers s3rver's credentials", () => {
    const base = { PATH: '/bin', STRATA_HTTP_HOST: '0.0.0.0', ETCD_NAME: 'x', AWS_PROFILE: 'prod', NODE_OPTIONS: '--max-old-space-size=512' };
    const [etcd, s3, bookie, , , broker] = planCluster(spec, runtime, fakePorts(spec)).processes;
    expect(processEnv(etcd!, base)).toEqual({ PATH: '/bin', AWS_PROFILE: 'prod', NODE_OPTIONS: '--max-old-space-size=512' });
    expect(processEnv(s3!, base)).toEqual({ PATH: '/bin', AWS_PROFILE: 'prod' });
    expect(processEnv(bookie!, base)).toEqual({ PATH: '/bin', AWS_PROFILE: 'prod', NODE_OPTIONS: '--max-old-space-size=512' });
    expect(processEnv(broker!, base)).toEqual({
      PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=512', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });
});

describe('/proc/PID/stat', () => {
  it('reads the state and start time after a command name holding spaces and parentheses', () => {
    const fields = ['S', '1', '100', '100', '0', '-1', '4194560', '1', '0', '0', '0', '0', '0', '0', '0', '20', '0', '1', '0', '987654'];
    expect(parseProcStat(`4242 (node (a) b) ${fields.join(' ')} 1000 2000\n`)).toEqual({ state: 'S', startTime: 987654 });
    expect(parseProcStat('4242 (zombie) Z')).toBeUndefined();
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});
