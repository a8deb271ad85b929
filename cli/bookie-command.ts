// `strata bookie` (run a bookie process) and `strata bookie repair` (give a damaged data directory a new identity).
import { Command, Option } from 'commander';
import { Bookie, repairCookie } from '../bookie/index.js';
import { createLogger } from '../common/index.js';
import { addMetadataOptions, openMetadataStore, type MetadataOptions } from './metadata-options.js';
import { parsePort } from './parse-options.js';

interface BookieOptions extends MetadataOptions {
  id: string;
  dataDir: string;
  host: string;
  port: string;
  advertisedAddress?: string;
  metricsPort?: string;
  sessionTtlMs: string;
  checkpointIntervalMs: string;
}

export function bookieCommand(): Command {
  const cmd = addMetadataOptions(
    new Command('bookie')
      .description('run a bookie: the durable, fenced storage server')
      .enablePositionalOptions()
      .addOption(new Option('--id <id>', 'this bookie\'s identity (stable across restarts; required)').env('STRATA_BOOKIE_ID'))
      .addOption(new Option('--data-dir <dir>', 'journal, entry logs and cookie (required)').env('STRATA_DATA_DIR'))
      .addOption(new Option('--host <host>', 'listen address').env('STRATA_BOOKIE_HOST').default('127.0.0.1'))
      .addOption(new Option('--port <port>', 'bookie protocol port (0 = any free one)').env('STRATA_BOOKIE_PORT').default('3181'))
      .addOption(new Option('--advertised-address <host:port>', 'the address writers use, if not host:port').env('STRATA_BOOKIE_ADVERTISED_ADDRESS'))
      .addOption(new Option('--metrics-port <port>', 'Prometheus /metrics port (0 = any free one)').env('STRATA_BOOKIE_METRICS_PORT'))
      .addOption(new Option('--session-ttl-ms <ms>', 'registration lease TTL').env('STRATA_SESSION_TTL_MS').default('6000'))
      .addOption(new Option('--checkpoint-interval-ms <ms>', 'how often ledger storage is made durable and the journal trimmed').env('STRATA_BOOKIE_CHECKPOINT_INTERVAL_MS').default('1000')),
  ).action(async (opts: BookieOptions) => {
    if (!opts.id) throw new Error('--id is required (or STRATA_BOOKIE_ID)');
    if (!opts.dataDir) throw new Error('--data-dir is required (or STRATA_DATA_DIR)');
    const log = createLogger('bookie', { bookieId: opts.id });
    const store = openMetadataStore(opts);
    const bookie = await Bookie.start({
      id: opts.id,
      dataDir: opts.dataDir,
      store,
      host: opts.host,
      port: parsePort(opts.port, '--port'),
      advertisedAddress: opts.advertisedAddress,
      metricsPort: opts.metricsPort === undefined ? undefined : parsePort(opts.metricsPort, '--metrics-port'),
      sessionTtlMs: Number(opts.sessionTtlMs),
      checkpointIntervalMs: Number(opts.checkpointIntervalMs),
      processMetrics: true,
      logger: log,
    }).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    log.info('stopping');
    await bookie.stop();
    await store.close();
  });

  const repair = new Command('repair')
    .description('give a bookie whose data directory was wiped or replaced a new identity; it then answers "unknown" for ledgers older than the repair')
    .addOption(new Option('--id <id>', 'the bookie\'s identity').env('STRATA_BOOKIE_ID').makeOptionMandatory())
    .addOption(new Option('--data-dir <dir>', 'the (new or wiped) data directory').env('STRATA_DATA_DIR').makeOptionMandatory());
  addMetadataOptions(repair).action(async (opts: MetadataOptions & { id: string; dataDir: string }) => {
      const store = openMetadataStore(opts);
      try {
        const cookie = await repairCookie(store, opts.id, opts.dataDir);
        process.stdout.write(`bookie ${opts.id} repaired: new instance ${cookie.instanceId}; ledgers up to id ${cookie.unknownUpToLedgerId} are answered "unknown" here until re-replicated\n`);
      } finally {
        await store.close();
      }
    });
  cmd.addCommand(repair);
  return cmd;
}
