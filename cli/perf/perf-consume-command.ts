// `strata perf consume`: takes messages from a subscription over the binary protocol as fast as they come and
// reports the consume rate and end-to-end latency (now − publish time): a progress line every second on
// standard error, the summary on standard output (a table, or one JSON object).
import { Command, Option } from 'commander';
import type { SubscriptionType } from '../../client/index.js';
import { addSettings, resolveSettings } from '../config/index.js';
import { print, printJson } from '../http-tool-command.js';
import { integerParser } from '../messaging/message-options.js';
import { parseTopicArgument } from '../topic-argument.js';
import { histogramText, progressLine, summaryJson, summaryTable } from './perf-report.js';
import { numberParser, withPerfSession } from './perf-session.js';
import { SendsFailedError } from './client-failure.js';

interface PerfConsumeOptions {
  topic: string;
  subscription: string;
  initialPosition: 'earliest' | 'latest';
  subscriptionType: SubscriptionType;
  messages?: number;
  duration?: number;
  receiverQueueSize: number;
  ackEvery: number;
  histogram?: boolean;
  json?: boolean;
}

export function perfConsumeCommand(): Command {
  return addSettings(new Command('consume').description('receive and acknowledge messages as fast as they come; report the consume rate and end-to-end latency'), 'perf consume')
    .requiredOption('-t, --topic <topic>', 'a topic name (in public/default) or tenant/namespace/topic')
    .requiredOption('-S, --subscription <name>', 'the subscription (created on first use at --initial-position)')
    .addOption(new Option('--initial-position <position>', 'where a new subscription starts').choices(['earliest', 'latest']).default('latest'))
    .addOption(new Option('--subscription-type <type>', 'exclusive; failover, shared or key_shared for several perf consumers on one subscription').choices(['exclusive', 'failover', 'shared', 'key_shared']).default('exclusive'))
    .addOption(new Option('-n, --messages <n>', 'stop after this many messages').argParser(integerParser(1, Number.MAX_SAFE_INTEGER)).conflicts('duration'))
    .option('-d, --duration <seconds>', 'stop after this long (without --messages or --duration: until Ctrl-C)', numberParser(0.001, 31_536_000, 'seconds'))
    .option('--receiver-queue-size <n>', 'messages each partition may push ahead of the loop', integerParser(1, 1_000_000), 1000)
    .option('--ack-every <n>', 'acknowledge cumulatively every N messages (per partition, the last one taken) and at the end', integerParser(1, 1_000_000), 100)
    .option('--histogram', 'also print a histogram of the end-to-end latencies')
    .option('--json', 'print the summary as one JSON object (progress lines still go to standard error)')
    .addHelpText(
      'after',
      `
End-to-end latency is now − the message's publish time, which the producer sets (in ms) when
it sends a batch: it is meaningful for messages produced while this runs, on hosts with
synchronised clocks. Messages are acknowledged cumulatively every --ack-every messages (per
partition, the last one taken) and at the end, not one by one; what a killed run took after its
last ack is delivered again to the subscription. Ctrl-C stops and prints the summary.

Examples:
  strata perf consume -t bench -S perf --duration 30
  strata perf consume -t bench -S backlog --initial-position earliest --messages 1000000 --json

Exit codes: 2 no server at --url, 3 unknown topic, 4 a refused request or a failed
acknowledgement.
`,
    )
    .action(async (opts: PerfConsumeOptions) => {
      const settings = resolveSettings('perf consume', opts);
      const topic = parseTopicArgument(opts.topic);
      await withPerfSession(settings.url, topic.full, async ({ client, stop }) => {
        const consumer = await client.consumer({
          topic: topic.full,
          subscription: opts.subscription,
          type: opts.subscriptionType,
          initialPosition: opts.initialPosition,
          receiverQueueSize: opts.receiverQueueSize,
        });
        try {
          const result = await (await import('./consume-load.js')).runConsumeLoad(consumer, {
            messages: opts.messages,
            durationMs: opts.duration === undefined ? undefined : opts.duration * 1000,
            ackEvery: opts.ackEvery,
            individualAcks: opts.subscriptionType === 'shared' || opts.subscriptionType === 'key_shared',
            signal: stop,
            onInterval: (r) => process.stderr.write(progressLine('end-to-end', r)),
          });
          if (opts.json) {
            await printJson({ command: 'perf consume', topic: topic.full, subscription: opts.subscription, failedAcks: result.failedAcks, ...summaryJson(result), ...(opts.histogram ? { histogram: result.buckets() } : {}) });
          } else {
            await print(summaryTable('E2E', result));
            if (opts.histogram) await print('\n' + histogramText('end-to-end latency (now − publish time)', result.buckets()));
          }
          if (result.firstAckError) throw new SendsFailedError(`${result.failedAcks} acknowledgement${result.failedAcks === 1 ? '' : 's'} failed: ${result.firstAckError.message}`, result.firstAckError);
        } finally {
          await consumer.close();
        }
      });
    });
}
