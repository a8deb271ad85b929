// `strata bookie` (run a bookie process) and `strata bookie repair` (give a damaged data directory a new identity).
import { Command } from 'commander';
import { addSettings, resolveSettings } from './config/index.js';
import { openMetadataStore } from './metadata-options.js';
import { untilTerminated } from './wait-for-signal.js';

export function bookieCommand(): Command {
  const cmd = addSettings(
    new Command('bookie').description('run a bookie: the durable, fenced storage server').enablePositionalOptions(),
    'bookie',
  ).action(async (opts: Record<string, unknown>) => {
    const settings = resolveSettings('bookie', opts);
    process.env.STRATA_LOG_LEVEL = settings.logLevel; // read by the logger (common/logger.ts)
    const [{ Bookie }, { createLogger }] = await Promise.all([import('../bookie/index.js'), import('../common/index.js')]);
    const log = createLogger('bookie', { bookieId: settings.id });
    const store = await openMetadataStore(settings);
    const bookie = await Bookie.start({
      id: settings.id,
      dataDir: settings.dataDir,
      store,
      host: settings.host,
      port: settings.port,
      advertisedAddress: settings.advertisedAddress,
      metricsPort: settings.metricsPort,
      sessionTtlMs: settings.sessionTtlMs,
      checkpointIntervalMs: settings.checkpointIntervalMs,
      journal: { maxFileBytes: settings.journalMaxFileBytes },
      processMetrics: true,
      logger: log,
    }).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
    await untilTerminated();
    log.info('stopping');
    await bookie.stop();
    await store.close();
  });

  const repair = addSettings(
    new Command('repair').description('give a bookie whose data directory was wiped or replaced a new identity; it then answers "unknown" for ledgers older than the repair'),
    'bookie repair',
  ).action(async (opts: Record<string, unknown>) => {
    const settings = resolveSettings('bookie repair', opts);
    const { repairCookie } = await import('../bookie/index.js');
    const store = await openMetadataStore(settings);
    try {
      const cookie = await repairCookie(store, settings.id, settings.dataDir);
      process.stdout.write(`bookie ${settings.id} repaired: new instance ${cookie.instanceId}; ledgers up to id ${cookie.unknownUpToLedgerId} are answered "unknown" here until re-replicated\n`);
    } finally {
      await store.close();
    }
  });
  cmd.addCommand(repair);
  return cmd;
}
