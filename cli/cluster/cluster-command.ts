// `strata cluster up|down|status`: a local cluster — etcd, an S3 server, N bookies, M brokers, the topology
// of docker-compose.yml — as processes on loopback, for tests and demos (docs/cli.md, "cluster").
import path from 'node:path';
import { Command } from 'commander';
import { addSettings, resolveSettings } from '../config/index.js';
import { print, printJson } from '../http-tool-command.js';
import { integerParser } from '../messaging/message-options.js';
import { ClusterDegradedError, NoClusterError } from './cluster-errors.js';
import { clusterDown } from './cluster-down.js';
import { readClusterFile } from './cluster-file.js';
import { clusterStatus, statusTable, type ClusterStatus } from './cluster-status.js';
import { clusterUp } from './cluster-up.js';

interface UpFlags {
  bookies: number;
  brokers: number;
  timeoutMs: number;
  json?: boolean;
}

interface DownFlags {
  graceMs: number;
  purge?: boolean;
}

export function clusterCommand(): Command {
  return new Command('cluster')
    .description('a local cluster for tests and demos: etcd, an S3 server (s3rver), bookies and brokers as processes on 127.0.0.1')
    .addCommand(upCommand())
    .addCommand(downCommand())
    .addCommand(statusCommand());
}

function upCommand(): Command {
  return addSettings(new Command('up').description('start etcd, the S3 server, the bookies and the brokers; return once all are ready'), 'cluster up')
    .option('--bookies <n>', 'how many bookies', integerParser(1, 16), 3)
    .option('--brokers <n>', 'how many brokers', integerParser(1, 16), 3)
    .option('--timeout-ms <ms>', 'give up (and stop everything started) unless all are ready within this time', integerParser(1000, 3_600_000), 60_000)
    .option('--json', 'print what `status --json` prints once all are ready')
    .addHelpText(
      'after',
      `
Processes listen on free ports of 127.0.0.1 (those of an earlier run in the same --dir when still free)
and outlive this command. DIR holds cluster.json (every process's role, id, pid, ports, URLs and command
line), logs/<id>.log, and the data: etcd/, s3/, bookie-N/. Brokers tier to the bucket "strata" and write
with ensemble 2, write and ack quorum 2 (1/1/1 with one bookie). Progress goes to standard error.

Examples:
  strata cluster up --dir ./cluster
  strata cluster up --dir /tmp/c1 --bookies 3 --brokers 2 --session-ttl-ms 2000 --json

Exit codes: 0 all ready; 1 a process failed or was not ready in time (its log's last lines are printed,
everything started is stopped), a cluster already runs in DIR, or etcd or s3rver is missing.
`,
    )
    .action(async (opts: UpFlags) => {
      const settings = resolveSettings('cluster up', opts);
      const cluster = await clusterUp(
        { dir: settings.dir, bookies: opts.bookies, brokers: opts.brokers, sessionTtlMs: settings.sessionTtlMs, logLevel: settings.logLevel, timeoutMs: opts.timeoutMs },
        (line) => process.stderr.write(`${line}\n`),
      );
      const status = clusterStatus(path.resolve(settings.dir), cluster);
      if (opts.json) return printJson(status);
      const broker = status.processes.find((p) => p.role === 'broker');
      await print(
        `cluster running in ${status.dir}: etcd, s3, ${opts.bookies} bookie(s), ${opts.brokers} broker(s); ` +
          `ensemble/write/ack quorum ${cluster.quorum.ensembleSize}/${cluster.quorum.writeQuorum}/${cluster.quorum.ackQuorum}\n` +
          statusTable(status) +
          (broker?.role === 'broker' ? `\ntry:  STRATA_URL=${broker.httpUrl} strata admin brokers\n` : '\n') +
          `stop: strata cluster down --dir ${settings.dir}\n`,
      );
    });
}

function downCommand(): Command {
  return addSettings(new Command('down').description('stop the processes of the cluster in --dir (brokers, then bookies, then S3 and etcd); keeps logs and data'), 'cluster down')
    .option('--grace-ms <ms>', 'how long each process may take to stop on SIGTERM before SIGKILL', integerParser(0, 600_000), 10_000)
    .option('--purge', 'also delete what up created in DIR: data, logs and cluster.json')
    .addHelpText(
      'after',
      `
Processes are signalled by the pids in DIR/cluster.json, and only while each pid is still the process up
started. Running down again, or on a cluster whose processes died, is fine (exit 0).

Exit codes: 0 stopped (or nothing to stop); 1 a process outlived SIGKILL, or cluster.json is unreadable.
`,
    )
    .action(async (opts: DownFlags) => {
      const { dir } = resolveSettings('cluster down', opts);
      const result = await clusterDown({ dir, graceMs: opts.graceMs, purge: opts.purge === true });
      if (!result.found) return print(`no cluster in ${path.resolve(dir)}; nothing to stop\n`);
      const stopped = result.stopped.length + result.killed.length;
      const lines = [stopped === 0 ? `nothing was running in ${path.resolve(dir)}` : `stopped ${stopped} process(es) in ${path.resolve(dir)}`];
      if (result.killed.length > 0) lines.push(`SIGKILLed after ${opts.graceMs} ms: ${result.killed.join(', ')}`);
      if (result.gone.length > 0) lines.push(`already gone: ${result.gone.join(', ')}`);
      lines.push(result.purged ? 'data, logs and cluster.json deleted' : 'logs and data kept (--purge deletes them)');
      await print(lines.join('\n') + '\n');
    });
}

function statusCommand(): Command {
  return addSettings(new Command('status').description('each process of the cluster in --dir: role, id, pid, alive, URLs'), 'cluster status')
    .option('--json', 'print one JSON document: {"dir", "state", "quorum", "processes": [{"role", "id", "pid", "alive", …URLs}]}')
    .addHelpText(
      'after',
      `
URLs: etcd clientUrl; s3 endpoint (bucket, accessKeyId, secretAccessKey); bookie address, metricsUrl;
broker httpUrl, binaryUrl.

Exit codes: 0 every process runs; 1 some do not (or the cluster is stopped); 3 no cluster in DIR.
`,
    )
    .action(async (opts: { json?: boolean }) => {
      const { dir } = resolveSettings('cluster status', opts);
      const cluster = await readClusterFile(path.resolve(dir));
      if (!cluster) throw new NoClusterError(`no cluster in ${path.resolve(dir)} (no cluster.json); start one with \`strata cluster up --dir ${dir}\``);
      const status = clusterStatus(path.resolve(dir), cluster);
      if (opts.json) await printJson(status);
      else await print(`cluster in ${status.dir} (${status.state}): ${aliveCount(status)} of ${status.processes.length} processes alive\n${statusTable(status)}`);
      const dead = status.processes.filter((p) => !p.alive);
      if (status.state === 'stopped') throw new ClusterDegradedError(`the cluster in ${status.dir} is stopped; \`strata cluster up --dir ${dir}\` starts it again on its data`);
      if (dead.length > 0) throw new ClusterDegradedError(`${dead.length} of ${status.processes.length} processes not running: ${dead.map((p) => p.id).join(', ')}`);
    });
}

const aliveCount = (status: ClusterStatus) => status.processes.filter((p) => p.alive).length;
