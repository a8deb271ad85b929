// The one schema of Strata's configuration: every setting a `strata` command reads, with its flag,
// STRATA_* variable, type, default and doc. Options, validation and the README table are built from it.
import type { SettingType, ValueOf } from './setting-types.js';

/** The commands that read settings ("bookie repair" is the subcommand `strata bookie repair`). */
export const COMMANDS = [
  'standalone', 'bookie', 'bookie repair', 'broker', 'admin', 'produce', 'consume', 'perf produce', 'perf consume', 'cluster up', 'cluster down', 'cluster status',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface SettingSpec {
  /** The long flag; the setting's name is its camel case (`--http-port` → `httpPort`). */
  readonly flag: `--${string}`;
  /** The placeholder in `--help` (`<port>`). */
  readonly arg: string;
  readonly env: `STRATA_${string}`;
  readonly type: SettingType;
  /** Written as a user would type it, and parsed like any other input. */
  readonly default?: string;
  /** A command that reads it refuses to start without it. */
  readonly required?: true;
  readonly commands: readonly CommandName[];
  /** One line, for `--help` and the reference table. */
  readonly doc: string;
}

const port = { kind: 'port' } as const;
const string = { kind: 'string' } as const;
const url = { kind: 'url' } as const;
const servers = ['standalone', 'bookie', 'broker'] as const;
const sessionTtl = { kind: 'integer', min: 1000, max: 3_600_000 } as const;
const logLevel = { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } as const;

/**
 * Precedence: a flag wins over its STRATA_* variable, which wins over the default. Rows that share
 * a flag serve different commands (a command never has two rows with one flag or one variable).
 */
export const SETTINGS = [
  // Standalone and broker: the HTTP API.
  { flag: '--data-dir', arg: '<dir>', env: 'STRATA_DATA_DIR', type: string, default: './data', commands: ['standalone'], doc: 'where all data lives (metadata, bookie, objects)' },
  { flag: '--http-host', arg: '<host>', env: 'STRATA_HTTP_HOST', type: string, default: '127.0.0.1', commands: ['standalone', 'broker'], doc: 'HTTP listen address' },
  { flag: '--http-port', arg: '<port>', env: 'STRATA_HTTP_PORT', type: port, default: '8080', commands: ['standalone', 'broker'], doc: 'HTTP API port (0 = any free one)' },
  { flag: '--binary-port', arg: '<port>', env: 'STRATA_BINARY_PORT', type: port, default: '6650', commands: ['standalone', 'broker'], doc: 'binary protocol port (0 = any free one)' },

  // Bookie.
  { flag: '--id', arg: '<id>', env: 'STRATA_BOOKIE_ID', type: string, required: true, commands: ['bookie', 'bookie repair'], doc: "this bookie's identity, stable across restarts" },
  { flag: '--data-dir', arg: '<dir>', env: 'STRATA_DATA_DIR', type: string, required: true, commands: ['bookie', 'bookie repair'], doc: "the bookie's journal, entry logs and cookie" },
  { flag: '--host', arg: '<host>', env: 'STRATA_BOOKIE_HOST', type: string, default: '127.0.0.1', commands: ['bookie'], doc: 'bookie protocol listen address' },
  { flag: '--port', arg: '<port>', env: 'STRATA_BOOKIE_PORT', type: port, default: '3181', commands: ['bookie'], doc: 'bookie protocol port (0 = any free one)' },
  { flag: '--advertised-address', arg: '<host:port>', env: 'STRATA_BOOKIE_ADVERTISED_ADDRESS', type: { kind: 'host-port' }, commands: ['bookie'], doc: 'the address writers connect to, if not host:port' },
  { flag: '--metrics-port', arg: '<port>', env: 'STRATA_BOOKIE_METRICS_PORT', type: port, commands: ['bookie'], doc: 'Prometheus /metrics and /healthz port (0 = any free one; none when unset)' },
  { flag: '--journal-max-file-bytes', arg: '<bytes>', env: 'STRATA_BOOKIE_JOURNAL_MAX_FILE_BYTES', type: { kind: 'integer', min: 4096, max: 1_073_741_824 }, default: '67108864', commands: ['bookie'], doc: 'the journal moves on to a new file (created ahead, while the current one fills) past this size; files are deleted once a checkpoint covers them' },
  { flag: '--checkpoint-interval-ms', arg: '<ms>', env: 'STRATA_BOOKIE_CHECKPOINT_INTERVAL_MS', type: { kind: 'integer', min: 10, max: 600_000 }, default: '1000', commands: ['bookie'], doc: 'how often ledger storage is made durable and the journal trimmed' },

  // Broker.
  { flag: '--id', arg: '<id>', env: 'STRATA_BROKER_ID', type: string, required: true, commands: ['broker'], doc: "this broker's identity" },
  { flag: '--advertised-binary-url', arg: '<url>', env: 'STRATA_ADVERTISED_BINARY_URL', type: string, commands: ['broker'], doc: 'the strata://host:port binary clients are sent to (default: from the listen address)' },
  { flag: '--advertised-http-url', arg: '<url>', env: 'STRATA_ADVERTISED_HTTP_URL', type: url, commands: ['broker'], doc: 'the URL other brokers and clients use (default: from the listen address)' },
  { flag: '--ensemble-size', arg: '<n>', env: 'STRATA_ENSEMBLE_SIZE', type: { kind: 'integer', min: 1, max: 64 }, default: '2', commands: ['broker'], doc: 'bookies per ledger' },
  { flag: '--write-quorum', arg: '<n>', env: 'STRATA_WRITE_QUORUM', type: { kind: 'integer', min: 1, max: 64 }, default: '2', commands: ['broker'], doc: 'copies of each entry (at most the ensemble size)' },
  { flag: '--ack-quorum', arg: '<n>', env: 'STRATA_ACK_QUORUM', type: { kind: 'integer', min: 1, max: 64 }, default: '2', commands: ['broker'], doc: 'copies confirmed before an entry is acknowledged (at most the write quorum)' },
  { flag: '--auto-recovery-grace-ms', arg: '<ms>', env: 'STRATA_AUTO_RECOVERY_GRACE_MS', type: { kind: 'integer', min: 0, max: 604_800_000 }, default: '60000', commands: ['broker'], doc: 'how long a bookie must stay unregistered before its ledgers are re-replicated' },
  { flag: '--auto-recovery-interval-ms', arg: '<ms>', env: 'STRATA_AUTO_RECOVERY_INTERVAL_MS', type: { kind: 'integer', min: 100, max: 3_600_000 }, default: '10000', commands: ['broker'], doc: 'time between auto-recovery rounds (one broker runs them, chosen by a lock)' },
  { flag: '--max-entries-per-ledger', arg: '<n>', env: 'STRATA_MAX_ENTRIES_PER_LEDGER', type: { kind: 'integer', min: 1, max: 10_000_000 }, default: '50000', commands: ['broker'], doc: "a partition's ledger rolls after this many entries (closed ledgers are what tiering moves to the object store)" },
  { flag: '--maintenance-interval-ms', arg: '<ms>', env: 'STRATA_MAINTENANCE_INTERVAL_MS', type: { kind: 'integer', min: 100, max: 3_600_000 }, default: '60000', commands: ['broker'], doc: 'how often owned partitions are maintained: ledger age rolls, subscription expiry, retention, tiering' },
  { flag: '--load-report-interval-ms', arg: '<ms>', env: 'STRATA_LOAD_REPORT_INTERVAL_MS', type: { kind: 'integer', min: 100, max: 600_000 }, default: '5000', commands: ['broker'], doc: "how often the broker reports its load (partitions, msg/s, bytes/s, CPU) for the load manager's leader" },
  { flag: '--load-shedding-interval-ms', arg: '<ms>', env: 'STRATA_LOAD_SHEDDING_INTERVAL_MS', type: { kind: 'integer', min: 0, max: 86_400_000 }, default: '60000', commands: ['broker'], doc: 'time between the leader\'s load shedding rounds (moves off brokers overloaded two rounds running); 0 = no shedding' },
  { flag: '--offload-after-ms', arg: '<ms>', env: 'STRATA_OFFLOAD_AFTER_MS', type: { kind: 'integer', min: 0, max: 31_536_000_000 }, default: '14400000', commands: ['broker'], doc: 'a closed ledger older than this is tiered to the object store (also when larger than 1 GiB, or sooner when bookie disks fill up)' },
  { flag: '--s3-bucket', arg: '<bucket>', env: 'STRATA_S3_BUCKET', type: string, commands: ['broker'], doc: 'tier closed ledgers to this S3 bucket (unset: no tiering)' },
  { flag: '--s3-endpoint', arg: '<url>', env: 'STRATA_S3_ENDPOINT', type: url, commands: ['broker'], doc: "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (unset: AWS's)" },
  { flag: '--s3-region', arg: '<region>', env: 'STRATA_S3_REGION', type: string, commands: ['broker'], doc: 'S3 region (unset: AWS_REGION, else us-east-1)' },
  { flag: '--s3-prefix', arg: '<prefix>', env: 'STRATA_S3_PREFIX', type: string, default: 'strata/', commands: ['broker'], doc: 'key prefix in the bucket' },

  // Cluster processes: the metadata store and sessions.
  { flag: '--etcd', arg: '<endpoints>', env: 'STRATA_ETCD_ENDPOINTS', type: { kind: 'url-list' }, required: true, commands: ['bookie', 'bookie repair', 'broker'], doc: 'comma-separated etcd client URLs, e.g. http://127.0.0.1:2379' },
  { flag: '--etcd-namespace', arg: '<prefix>', env: 'STRATA_ETCD_NAMESPACE', type: string, default: '/strata', commands: ['bookie', 'bookie repair', 'broker'], doc: 'key prefix of this cluster in etcd' },
  { flag: '--session-ttl-ms', arg: '<ms>', env: 'STRATA_SESSION_TTL_MS', type: sessionTtl, default: '6000', commands: ['bookie', 'broker'], doc: 'lease TTL of the registration (and of a broker\'s partitions)' },

  // Every server process.
  { flag: '--log-level', arg: '<level>', env: 'STRATA_LOG_LEVEL', type: logLevel, default: 'info', commands: servers, doc: 'least severe log level written (JSON lines on stdout)' },

  // The local cluster launcher: etcd, an S3 server, bookies and brokers as processes on loopback.
  { flag: '--dir', arg: '<dir>', env: 'STRATA_CLUSTER_DIR', type: string, required: true, commands: ['cluster up', 'cluster down', 'cluster status'], doc: "the local cluster's directory: cluster.json (pids, ports, URLs), logs/ and each process's data" },
  { flag: '--session-ttl-ms', arg: '<ms>', env: 'STRATA_SESSION_TTL_MS', type: sessionTtl, default: '6000', commands: ['cluster up'], doc: "session TTL of every bookie and broker: how soon a dead broker's partitions move" },
  { flag: '--log-level', arg: '<level>', env: 'STRATA_LOG_LEVEL', type: logLevel, default: 'info', commands: ['cluster up'], doc: 'log level of every bookie and broker (their logs: DIR/logs)' },

  // The HTTP tools.
  { flag: '--url', arg: '<url>', env: 'STRATA_URL', type: url, default: 'http://127.0.0.1:8080', commands: ['admin', 'produce', 'consume'], doc: 'HTTP API of any broker (or of standalone)' },

  // The load generators: the binary protocol, and the HTTP API only to create a topic.
  { flag: '--url', arg: '<url>', env: 'STRATA_BINARY_URL', type: { kind: 'broker-url' }, default: 'strata://127.0.0.1:6650', commands: ['perf produce', 'perf consume'], doc: 'binary protocol URL of any broker (or of standalone)' },
  { flag: '--http-url', arg: '<url>', env: 'STRATA_HTTP_URL', type: url, default: 'http://127.0.0.1:8080', commands: ['perf produce'], doc: 'HTTP API that --partitions creates a missing topic through (what --url is for admin)' },
] as const satisfies readonly SettingSpec[];

type Row = (typeof SETTINGS)[number];
type RowsFor<C extends CommandName> = Row extends infer R ? (R extends { commands: readonly (infer K)[] } ? (C extends K ? R : never) : never) : never;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type KeyOf<F extends string> = F extends `--${infer N}` ? Camel<N> : never;
type Resolved<R extends Row> = R extends { default: string } | { required: true } ? ValueOf<R['type']> : ValueOf<R['type']> | undefined;

/** The checked settings of one command, typed from the schema. */
export type SettingsFor<C extends CommandName> = { [R in RowsFor<C> as KeyOf<R['flag']>]: Resolved<R> };

/** The setting's property name: the flag in camel case, as commander names it. */
export function settingKey(spec: SettingSpec): string {
  return spec.flag.slice(2).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function settingsOf(command: CommandName): SettingSpec[] {
  return SETTINGS.filter((s) => (s.commands as readonly CommandName[]).includes(command));
}

/** Rules between settings of one command; each returns a message when broken. */
export const CROSS_CHECKS: ReadonlyArray<{ commands: readonly CommandName[]; check: (s: Record<string, unknown>) => string | undefined }> = [
  {
    commands: ['broker'],
    check: (s) => {
      const [e, w, a] = [s.ensembleSize, s.writeQuorum, s.ackQuorum] as number[];
      if (w > e) return `--write-quorum (${w}) must not exceed --ensemble-size (${e})`;
      if (a > w) return `--ack-quorum (${a}) must not exceed --write-quorum (${w})`;
      return undefined;
    },
  },
];
