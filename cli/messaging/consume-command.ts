// `strata consume`: receive a topic's messages through a subscription over HTTP, print them, and
// acknowledge exactly what was printed (a message is acked only after it was written to stdout; one
// received but not printed — Ctrl-C during a request — is redelivered after the visibility timeout).
import type { Command } from 'commander';
import { clientFor, httpToolCommand, print, type HttpToolOptions } from '../http-tool-command.js';
import type { StrataHttpClient } from '../http/strata-http-client.js';
import { parseTopicArgument, type TopicArgument } from '../topic-argument.js';
import { integerParser } from './message-options.js';

interface ConsumeOptions extends HttpToolOptions {
  subscription: string;
  count?: number;
  follow?: boolean;
  waitMs: number;
}

interface Received {
  id: string;
  partition: number;
  key: string | null;
  value: string;
  valueBase64: string;
  properties: Record<string, string>;
  publishTime: number;
  eventTime?: number;
  redeliveryCount: number;
}

/** The API's limits: messages per receive, and how long one receive may wait. */
const MAX_PER_RECEIVE = 1000;
const MAX_WAIT_MS = 30_000;
const FOLLOW_WAIT_MS = 10_000;

export function consumeCommand(): Command {
  return httpToolCommand('consume', 'consume', 'print messages of a topic through a subscription and acknowledge them')
    .argument('<topic>', 'a topic name (in public/default) or tenant/namespace/topic')
    .requiredOption('-s, --subscription <name>', 'the subscription (created at the earliest message on first use)')
    .option('-n, --count <n>', 'stop after this many messages', integerParser(1, Number.MAX_SAFE_INTEGER))
    .option('-f, --follow', 'keep waiting for new messages (until --count, or Ctrl-C)')
    .option('--wait-ms <ms>', `without --follow: stop once no message arrived for this long (0-${MAX_WAIT_MS})`, integerParser(0, MAX_WAIT_MS), 1000)
    .action(async (topicArg: string, opts: ConsumeOptions) => {
      const topic = parseTopicArgument(topicArg);
      const stop = new AbortController();
      const onSignal = () => stop.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const acked = await consume(clientFor('consume', opts), topic, opts, stop.signal);
        if (!opts.json) process.stderr.write(`received and acknowledged ${acked} message${acked === 1 ? '' : 's'} (${topic.full}, subscription ${opts.subscription})\n`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

/** Receives, prints and acks until --count, an empty wait (without --follow), or the signal; returns how many. */
async function consume(client: StrataHttpClient, topic: TopicArgument, opts: ConsumeOptions, signal: AbortSignal): Promise<number> {
  const base = `/v1/topics/${topic.tenant}/${topic.namespace}/${topic.topic}/subscriptions/${encodeURIComponent(opts.subscription)}`;
  const waitMs = opts.follow ? FOLLOW_WAIT_MS : opts.waitMs;
  let done = 0;
  while (!signal.aborted && (opts.count === undefined || done < opts.count)) {
    // Never take more than will be printed: what is received is printed and acked, nothing else.
    const max = Math.min(MAX_PER_RECEIVE, opts.count === undefined ? MAX_PER_RECEIVE : opts.count - done);
    let messages: Received[];
    try {
      ({ messages } = (await client.request<{ messages: Received[] }>('POST', `${base}/receive`, { max, waitMs }, { signal, retry: true, timeoutMs: waitMs + 30_000 })).body);
    } catch (err) {
      if (signal.aborted) break;
      throw err;
    }
    if (messages.length === 0) {
      if (opts.follow) continue;
      break;
    }
    await print(messages.map((m) => (opts.json ? JSON.stringify(m) : m.value) + '\n').join(''));
    // Acks are answered once durable; they are not cut short by Ctrl-C, so what was printed is acked.
    await client.request('POST', `${base}/ack`, { ids: messages.map((m) => m.id) }, { retry: true });
    done += messages.length;
  }
  return done;
}
