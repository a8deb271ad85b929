// `strata admin topics create|list|stats|delete` over the admin routes of the HTTP API.
import { Command, InvalidArgumentError } from 'commander';
import { clientFor, httpToolCommand, print, printJson, type HttpToolOptions } from '../http-tool-command.js';
import { textTable } from '../text-table.js';
import { DEFAULT_NAMESPACE, parseNamespaceArgument, parseTopicArgument, type TopicArgument } from '../topic-argument.js';

const topicHelp = 'a topic name (in public/default) or tenant/namespace/topic';
const MAX_PARTITIONS = 1024;

interface TopicStats {
  name: string;
  partitions: number;
  stats: Array<{
    partition: number;
    owner: string | null;
    msgIn: number;
    bytesIn: number;
    ledgers: Array<{ id: number; entries: number | null; state: string; offloaded: boolean }>;
    subscriptions: Record<string, { backlog: number }>;
  }>;
}

const adminPath = (t: TopicArgument) => `/admin/v1/topics/${t.tenant}/${t.namespace}/${t.topic}`;

function parsePartitions(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PARTITIONS)) throw new InvalidArgumentError(`It must be an integer from 1 to ${MAX_PARTITIONS}.`);
  return n;
}

export function topicsCommand(): Command {
  const topics = new Command('topics').description('create, list, inspect and delete topics');

  topics.addCommand(
    httpToolCommand('create', 'admin', 'create a topic (succeeds if it already exists with the same partitions)')
      .argument('<topic>', topicHelp)
      .option('-p, --partitions <n>', `number of partitions (1-${MAX_PARTITIONS})`, parsePartitions, 1)
      .action(async (raw: string, opts: HttpToolOptions & { partitions: number }) => {
        const topic = parseTopicArgument(raw);
        const { status } = await clientFor('admin', opts).request('PUT', adminPath(topic), { partitions: opts.partitions }, { retry: true });
        const created = status === 201;
        if (opts.json) return printJson({ name: topic.full, partitions: opts.partitions, created });
        await print(created ? `created topic ${topic.full} with ${plural(opts.partitions, 'partition')}\n` : `topic ${topic.full} already exists with ${plural(opts.partitions, 'partition')}\n`);
      }),
  );

  topics.addCommand(
    httpToolCommand('list', 'admin', 'list the topics of a namespace')
      .argument('[namespace]', 'tenant/namespace', DEFAULT_NAMESPACE)
      .action(async (raw: string, opts: HttpToolOptions) => {
        const ns = parseNamespaceArgument(raw);
        const { body } = await clientFor('admin', opts).request<{ topics: Array<{ name: string; partitions: number }> }>('GET', `/admin/v1/topics/${ns.tenant}/${ns.namespace}`, undefined, { retry: true });
        if (opts.json) return printJson(body);
        if (body.topics.length === 0) return print(`no topics in ${ns.full}\n`);
        await print(textTable(['TOPIC', 'PARTITIONS'], body.topics.map((t) => [t.name, t.partitions])));
      }),
  );

  topics.addCommand(
    httpToolCommand('stats', 'admin', "a topic's partitions: owner, messages and bytes in, ledgers, subscriptions and their backlog")
      .argument('<topic>', topicHelp)
      .action(async (raw: string, opts: HttpToolOptions) => {
        const topic = parseTopicArgument(raw);
        const { body } = await clientFor('admin', opts).request<TopicStats>('GET', adminPath(topic), undefined, { retry: true });
        if (opts.json) return printJson(body);
        await print(`topic ${body.name}: ${plural(body.partitions, 'partition')}\n` + statsTable(body));
      }),
  );

  topics.addCommand(
    httpToolCommand('delete', 'admin', 'delete a topic with all its messages and subscriptions')
      .argument('<topic>', topicHelp)
      .action(async (raw: string, opts: HttpToolOptions) => {
        const topic = parseTopicArgument(raw);
        await clientFor('admin', opts).request('DELETE', adminPath(topic), undefined, { retry: true });
        if (opts.json) return printJson({ deleted: topic.full });
        await print(`deleted topic ${topic.full}\n`);
      }),
  );
  return topics;
}

function statsTable(body: TopicStats): string {
  const rows = body.stats.map((p) => {
    const subs = Object.entries(p.subscriptions).map(([name, s]) => `${name} (${s.backlog})`);
    const offloaded = p.ledgers.filter((l) => l.offloaded).length;
    return [p.partition, p.owner ?? '-', p.msgIn, p.bytesIn, p.ledgers.length, offloaded, subs.join(', ') || '-'];
  });
  return textTable(['PARTITION', 'OWNER', 'MSG IN', 'BYTES IN', 'LEDGERS', 'OFFLOADED', 'SUBSCRIPTIONS (BACKLOG)'], rows);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
