// `strata perf produce`: a load generator over the binary protocol. Prints a progress line every second
// (standard error) and a summary of throughput and send → ack latency (standard output, or one JSON object).
import { Command, Option } from 'commander';
import { BrokerRequestError, type StrataClient } from '../../client/index.js';
import { addSettings, resolveSettings } from '../config/index.js';
import { ServerUnreachableError } from '../errors.js';
import { print, printJson } from '../http-tool-command.js';
import { StrataHttpClient } from '../http/strata-http-client.js';
import { integerParser } from '../messaging/message-options.js';
import { parseTopicArgument, type TopicArgument } from '../topic-argument.js';
import { cliErrorOf, SendsFailedError } from './client-failure.js';
import { histogramText, progressLine, summaryJson, summaryTable } from './perf-report.js';
import { numberParser, withPerfSession } from './perf-session.js';

interface PerfProduceOptions {
  topic: string;
  rate: number;
  size: number;
  producers: number;
  partitions?: number;
  messages?: number;
  duration?: number;
  batchMaxMessages: number;
  batchDelayMs: number;
  maxPending: number;
  histogram?: boolean;
  json?: boolean;
}

/** 4 MiB: a message must fit one entry of at most 5 MiB with its batch header. */
const MAX_SIZE = 4 * 1024 * 1024;

export function perfProduceCommand(): Command {
  return addSettings(new Command('produce').description('send messages of a fixed size as fast as possible or at a fixed rate; report throughput and send→ack latency'), 'perf produce')
    .requiredOption('-t, --topic <topic>', 'a topic name (in public/default) or tenant/namespace/topic')
    .option('-r, --rate <n>', 'messages per second over all producers, on a time schedule (0 = as fast as possible)', numberParser(0, 10_000_000, 'a rate'), 0)
    .option('-s, --size <bytes>', 'bytes per message', integerParser(1, MAX_SIZE), 1024)
    .option('--producers <n>', 'producers on one connection, each sending rate / N', integerParser(1, 1000), 1)
    .option('-p, --partitions <n>', 'create the topic with N partitions (through --http-url) if it does not exist', integerParser(1, 1024))
    .addOption(new Option('-n, --messages <n>', 'stop after this many messages').argParser(integerParser(1, Number.MAX_SAFE_INTEGER)).conflicts('duration'))
    .option('-d, --duration <seconds>', 'stop after this long (without --messages or --duration: until Ctrl-C)', numberParser(0.001, 31_536_000, 'seconds'))
    .option('--batch-max-messages <n>', 'messages per batch at most (1 = no batching)', integerParser(1, 65_536), 1000)
    .option('--batch-delay-ms <ms>', 'how long the first message of a batch waits for more', integerParser(0, 60_000), 1)
    .option('--max-pending <n>', 'unanswered messages per producer at most; sends wait for room', integerParser(1, 10_000_000), 10_000)
    .option('--histogram', 'also print a histogram of the latencies')
    .option('--json', 'print the summary as one JSON object (progress lines still go to standard error)')
    .addHelpText(
      'after',
      `
Latency is from send() to the broker's answer, which comes once the message is durable.
With --rate the sends follow a time schedule and do not wait for answers (open loop); when
--max-pending messages are unanswered, sends wait, and a message sent late that way counts from
when it was due, so a stall shows as latency. Ctrl-C stops sending, waits for the answers, and
prints the summary.

Examples:
  strata perf produce -t bench -p 4 --duration 30
  strata perf produce -t bench --rate 20000 --size 512 --messages 1000000 --histogram
  strata perf produce -t bench --messages 10000 --json | jq .msgPerSec

Exit codes: 2 no server at --url, 3 unknown topic (without --partitions), 4 a refused request
or a failed send.
`,
    )
    .action(async (opts: PerfProduceOptions) => {
      const settings = resolveSettings('perf produce', opts);
      const topic = parseTopicArgument(opts.topic);
      await withPerfSession(settings.url, topic.full, async ({ client, stop }) => {
        await ensureTopic(client, topic, opts.partitions, settings.httpUrl);
        const result = await (await import('./produce-load.js')).runProduceLoad(client, {
          topic: topic.full,
          producers: opts.producers,
          rate: opts.rate,
          size: opts.size,
          messages: opts.messages,
          durationMs: opts.duration === undefined ? undefined : opts.duration * 1000,
          batching: { maxMessages: opts.batchMaxMessages, maxDelayMs: opts.batchDelayMs },
          maxPending: opts.maxPending,
          signal: stop,
          onInterval: (r, state) => process.stderr.write(progressLine('latency', r, { pending: state.pending, ...(state.behind > 0 ? { behind: state.behind } : {}) })),
        });
        if (opts.json) {
          await printJson({
            command: 'perf produce',
            topic: topic.full,
            partitions: result.partitions,
            producers: opts.producers,
            size: opts.size,
            rate: opts.rate,
            failed: result.failed,
            ...summaryJson(result),
            ...(opts.histogram ? { histogram: result.buckets() } : {}),
          });
        } else {
          await print(summaryTable('LATENCY', result, { FAILED: result.failed }));
          if (opts.histogram) await print('\n' + histogramText('send → ack latency', result.buckets()));
        }
        if (result.firstError) {
          const cause = cliErrorOf(result.firstError, settings.url, topic.full);
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw new SendsFailedError(`${result.failed} send${result.failed === 1 ? '' : 's'} failed; sending stopped at the first: ${reason}`, cause);
        }
      });
    });
}

/** The topic's partition count; creates the topic through the HTTP API when it is missing and --partitions is given. */
async function ensureTopic(client: StrataClient, topic: TopicArgument, partitions: number | undefined, httpUrl: string): Promise<void> {
  try {
    const existing = await client.partitionCount(topic.full);
    if (partitions !== undefined && existing !== partitions) process.stderr.write(`topic ${topic.full} exists with ${existing} partition${existing === 1 ? '' : 's'}; --partitions ${partitions} ignored\n`);
  } catch (err) {
    if (partitions === undefined || !(err instanceof BrokerRequestError) || err.code !== 'TOPIC_NOT_FOUND') throw err;
    const http = new StrataHttpClient(httpUrl);
    const { status } = await http.request('PUT', `/admin/v1/topics/${topic.tenant}/${topic.namespace}/${topic.topic}`, { partitions }, { retry: true }).catch((e: unknown) => {
      if (!(e instanceof ServerUnreachableError)) throw e;
      throw new ServerUnreachableError(`cannot create ${topic.full}: the HTTP API at ${httpUrl} does not answer; set --http-url or STRATA_HTTP_URL`, { cause: e });
    });
    process.stderr.write(status === 201 ? `created topic ${topic.full} with ${partitions} partition${partitions === 1 ? '' : 's'}\n` : `topic ${topic.full} was created meanwhile\n`);
  }
}
