// `strata produce`: send messages (the arguments, or else one per line of standard input) to a topic
// over HTTP. Each request is answered only once its messages are durable. With --producer, messages
// carry growing sequence ids, so a request retried after a 503 is not stored twice.
import type { Command } from 'commander';
import { ApiError } from '../errors.js';
import { clientFor, httpToolCommand, print, printJson, type HttpToolOptions } from '../http-tool-command.js';
import type { StrataHttpClient } from '../http/strata-http-client.js';
import { parseTopicArgument, type TopicArgument } from '../topic-argument.js';
import { lineBatches } from './line-batches.js';
import { collectProperty, integerParser } from './message-options.js';

interface ProduceOptions extends HttpToolOptions {
  key?: string;
  property?: Record<string, string>;
  producer?: string;
  sequenceStart?: number;
}

type Result = { partition: number; id: string | null; duplicate?: true } | { partition: number; error: { code: string; message: string } };

/** Arguments are sent in requests of at most this many messages (stdin lines: see line-batches.ts). */
const ARGUMENT_BATCH = 500;

export function produceCommand(): Command {
  return httpToolCommand('produce', 'produce', 'send messages to a topic: the arguments, or else each line of standard input')
    .argument('<topic>', 'a topic name (in public/default) or tenant/namespace/topic')
    .argument('[messages...]', 'message values (none: read standard input, one message per line)')
    .option('-k, --key <key>', 'the key of every message (same key, same partition)')
    .option('-P, --property <key=value>', 'a property of every message (repeatable)', collectProperty)
    .option('--producer <name>', 'producer name: messages get sequence ids and retried requests are not stored twice')
    .option('--sequence-start <n>', 'first sequence id with --producer (default: milliseconds since 1970 × 1000, so later runs continue above)', integerParser(0, Number.MAX_SAFE_INTEGER))
    .action(async (topicArg: string, values: string[], opts: ProduceOptions, cmd: Command) => {
      if (opts.sequenceStart !== undefined && opts.producer === undefined) cmd.error('error: --sequence-start needs --producer');
      const topic = parseTopicArgument(topicArg);
      const producer = new HttpProducer(clientFor('produce', opts), topic, opts);
      if (values.length > 0) {
        for (let i = 0; i < values.length; i += ARGUMENT_BATCH) await producer.send(values.slice(i, i + ARGUMENT_BATCH));
      } else {
        if (process.stdin.isTTY) process.stderr.write('reading messages from standard input, one per line; end with Ctrl-D\n');
        for await (const batch of lineBatches(process.stdin)) await producer.send(batch);
      }
      if (!opts.json) {
        const dup = producer.duplicates > 0 ? ` (${producer.duplicates} already stored: duplicates)` : '';
        await print(`produced ${producer.sent} message${producer.sent === 1 ? '' : 's'} to ${topic.full}${dup}\n`);
      }
    });
}

class HttpProducer {
  sent = 0;
  duplicates = 0;
  private nextSequenceId: number;

  constructor(
    private readonly client: StrataHttpClient,
    private readonly topic: TopicArgument,
    private readonly opts: ProduceOptions,
  ) {
    this.nextSequenceId = opts.sequenceStart ?? Date.now() * 1000;
  }

  async send(values: string[]): Promise<void> {
    const { producer, key, property } = this.opts;
    const messages = values.map((value) => ({
      value,
      ...(key !== undefined ? { key } : {}),
      ...(property ? { properties: property } : {}),
      ...(producer !== undefined ? { sequenceId: this.nextSequenceId++ } : {}),
    }));
    const path = `/v1/topics/${this.topic.tenant}/${this.topic.namespace}/${this.topic.topic}/messages`;
    // Without a producer name a retry could store a message twice; with one the broker deduplicates.
    const { body } = await this.client.request<{ results: Result[] }>('POST', path, { ...(producer !== undefined ? { producer } : {}), messages }, { retry: producer !== undefined });
    const failed: string[] = [];
    for (const [i, result] of body.results.entries()) {
      const sequenceId = messages[i]!.sequenceId;
      if ('error' in result) {
        failed.push(`message ${this.sent + i + 1} (partition ${result.partition}): ${result.error.message} (${result.error.code})`);
        continue;
      }
      if (result.duplicate) this.duplicates++;
      if (this.opts.json) await printJson({ partition: result.partition, id: result.id, ...(sequenceId !== undefined ? { sequenceId } : {}), ...(result.duplicate ? { duplicate: true } : {}) });
    }
    this.sent += messages.length - failed.length;
    if (failed.length > 0) {
      for (const line of failed) process.stderr.write(`strata: ${line}\n`);
      throw new ApiError(207, 'PARTIAL_FAILURE', `${failed.length} of ${messages.length} messages in a request were not stored (${this.sent} stored so far)`);
    }
  }
}
