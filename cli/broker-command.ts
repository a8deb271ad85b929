// `strata broker`: run a stateless broker against etcd and the registered bookies, optionally tiering
// closed ledgers to an S3-compatible object store.
import { Command, Option } from 'commander';
import { Broker } from '../broker/index.js';
import { createLogger } from '../common/index.js';
import { LedgerClient } from '../ledger/index.js';
import { S3ObjectStore } from '../objectstore/index.js';
import { addMetadataOptions, openMetadataStore, type MetadataOptions } from './metadata-options.js';
import { parseNumber, parsePort } from './parse-options.js';

interface BrokerOptions extends MetadataOptions {
  id?: string;
  httpHost: string;
  httpPort: string;
  binaryPort: string;
  advertisedHttpUrl?: string;
  ensembleSize: string;
  writeQuorum: string;
  ackQuorum: string;
  sessionTtlMs: string;
  s3Bucket?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3Prefix: string;
}

export function brokerCommand(): Command {
  return addMetadataOptions(
    new Command('broker')
      .description('run a stateless broker: owns partitions through etcd leases, writes ledgers to the bookies, serves HTTP')
      .addOption(new Option('--id <id>', "this broker's identity (required)").env('STRATA_BROKER_ID'))
      .addOption(new Option('--http-host <host>', 'HTTP listen address').env('STRATA_HTTP_HOST').default('127.0.0.1'))
      .addOption(new Option('--http-port <port>', 'HTTP API port (0 = any free one)').env('STRATA_HTTP_PORT').default('8080'))
      .addOption(new Option('--binary-port <port>', 'binary protocol port (reserved; the binary protocol is not in this build)').env('STRATA_BINARY_PORT').default('6650'))
      .addOption(new Option('--advertised-http-url <url>', 'the URL other brokers and clients use').env('STRATA_ADVERTISED_HTTP_URL'))
      .addOption(new Option('--ensemble-size <n>', 'bookies per ledger').env('STRATA_ENSEMBLE_SIZE').default('2'))
      .addOption(new Option('--write-quorum <n>', 'copies of each entry').env('STRATA_WRITE_QUORUM').default('2'))
      .addOption(new Option('--ack-quorum <n>', 'copies confirmed before an entry is acknowledged').env('STRATA_ACK_QUORUM').default('2'))
      .addOption(new Option('--session-ttl-ms <ms>', 'lease TTL of the broker and its partitions').env('STRATA_SESSION_TTL_MS').default('6000'))
      .addOption(new Option('--s3-bucket <bucket>', 'tier closed ledgers to this S3 bucket (none: no tiering)').env('STRATA_S3_BUCKET'))
      .addOption(new Option('--s3-endpoint <url>', 'S3-compatible endpoint, e.g. http://127.0.0.1:9000').env('STRATA_S3_ENDPOINT'))
      .addOption(new Option('--s3-region <region>', 'S3 region').env('STRATA_S3_REGION'))
      .addOption(new Option('--s3-prefix <prefix>', 'key prefix in the bucket').env('STRATA_S3_PREFIX').default('strata/')),
  ).action(async (opts: BrokerOptions) => {
    if (!opts.id) throw new Error('--id is required (or STRATA_BROKER_ID)');
    const log = createLogger('broker', { brokerId: opts.id });
    const store = openMetadataStore(opts);
    const stops: Array<() => Promise<void>> = [() => store.close()];
    const stopAll = async () => {
      for (const stop of stops.splice(0)) await stop().catch((err: unknown) => log.error({ err }, 'shutdown step failed'));
    };
    try {
      const ledgers = await LedgerClient.start({ store, owner: opts.id, logger: log.child({ part: 'ledger-client' }) });
      stops.unshift(() => ledgers.close());
      const objects = opts.s3Bucket
        ? new S3ObjectStore({ bucket: opts.s3Bucket, endpoint: opts.s3Endpoint, region: opts.s3Region, prefix: opts.s3Prefix, forcePathStyle: opts.s3Endpoint !== undefined, logger: log })
        : undefined;
      if (objects) stops.push(() => objects.close());
      const broker = await Broker.start({
        id: opts.id,
        store,
        ledgers,
        httpHost: opts.httpHost,
        httpPort: parsePort(opts.httpPort, '--http-port'),
        advertisedHttpUrl: opts.advertisedHttpUrl,
        sessionTtlMs: parseNumber(opts.sessionTtlMs, '--session-ttl-ms'),
        managedLedger: {
          ensembleSize: parseNumber(opts.ensembleSize, '--ensemble-size'),
          writeQuorum: parseNumber(opts.writeQuorum, '--write-quorum'),
          ackQuorum: parseNumber(opts.ackQuorum, '--ack-quorum'),
        },
        tiering: objects ? { objects } : undefined,
        logger: log,
        processMetrics: true,
      });
      stops.unshift(() => broker.stop());
    } catch (err) {
      await stopAll();
      throw err;
    }
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    log.info('stopping');
    await stopAll();
  });
}
