// `strata broker`: run a stateless broker against etcd and the registered bookies, optionally tiering
// closed ledgers to an S3-compatible object store.
import { Command } from 'commander';
import { addSettings, resolveSettings } from './config/index.js';
import { openMetadataStore } from './metadata-options.js';
import { untilTerminated } from './wait-for-signal.js';

export function brokerCommand(): Command {
  return addSettings(
    new Command('broker').description('run a stateless broker: owns partitions through etcd leases, writes ledgers to the bookies, serves HTTP'),
    'broker',
  ).action(async (opts: Record<string, unknown>) => {
    const settings = resolveSettings('broker', opts);
    process.env.STRATA_LOG_LEVEL = settings.logLevel; // read by the logger (common/logger.ts)
    const [{ Broker }, { createLogger }, { LedgerClient }, { S3ObjectStore }] = await Promise.all([
      import('../broker/index.js'),
      import('../common/index.js'),
      import('../ledger/index.js'),
      import('../objectstore/s3/index.js'),
    ]);
    const log = createLogger('broker', { brokerId: settings.id });
    const store = await openMetadataStore(settings);
    const stops: Array<() => Promise<void>> = [() => store.close()];
    const stopAll = async () => {
      for (const stop of stops.splice(0)) await stop().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
    };
    try {
      const ledgers = await LedgerClient.start({ store, owner: settings.id, logger: log.child({ part: 'ledger-client' }) });
      stops.unshift(() => ledgers.close());
      const objects = settings.s3Bucket
        ? new S3ObjectStore({
            bucket: settings.s3Bucket,
            endpoint: settings.s3Endpoint,
            region: settings.s3Region,
            prefix: settings.s3Prefix,
            forcePathStyle: settings.s3Endpoint !== undefined,
            logger: log,
          })
        : undefined;
      if (objects) stops.push(() => objects.close());
      const broker = await Broker.start({
        id: settings.id,
        store,
        ledgers,
        httpHost: settings.httpHost,
        httpPort: settings.httpPort,
        advertisedHttpUrl: settings.advertisedHttpUrl,
        binaryPort: settings.binaryPort,
        binaryUrl: settings.advertisedBinaryUrl,
        sessionTtlMs: settings.sessionTtlMs,
        managedLedger: { ensembleSize: settings.ensembleSize, writeQuorum: settings.writeQuorum, ackQuorum: settings.ackQuorum, maxEntriesPerLedger: settings.maxEntriesPerLedger },
        maintenanceIntervalMs: settings.maintenanceIntervalMs,
        tiering: objects ? { objects, policy: { minAgeMs: settings.offloadAfterMs } } : undefined,
        autoRecovery: { graceMs: settings.autoRecoveryGraceMs, intervalMs: settings.autoRecoveryIntervalMs },
        loadReportIntervalMs: settings.loadReportIntervalMs,
        loadSheddingIntervalMs: settings.loadSheddingIntervalMs,
        logger: log,
        processMetrics: true,
      });
      stops.unshift(() => broker.stop());
    } catch (err) {
      await stopAll();
      throw err;
    }
    await untilTerminated();
    log.info('stopping');
    await stopAll();
  });
}
