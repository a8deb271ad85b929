// `strata admin rebalance` and `strata admin drain <broker-id>`: move partitions between brokers through
// the admin routes of any broker, which coordinates the moves. Both are safe to repeat (each plans from
// the current state), so a 503 is retried.
import type { Command } from 'commander';
import { clientFor, httpToolCommand, print, printJson, type HttpToolOptions } from '../http-tool-command.js';
import { textTable } from '../text-table.js';

interface Moved {
  moved: Array<{ topic: string; partition: number; from: string; to: string }>;
}

/** Moves run one at a time, each well under a second normally; a large cluster may take minutes. */
const MOVE_TIMEOUT_MS = 10 * 60_000;

async function printMoves(body: Moved, none: string): Promise<void> {
  const n = body.moved.length;
  if (n === 0) return print(`${none}\n`);
  await print(`moved ${n} partition${n === 1 ? '' : 's'}\n` + textTable(['TOPIC', 'PARTITION', 'FROM', 'TO'], body.moved.map((m) => [m.topic, m.partition, m.from, m.to])));
}

export function placementCommands(): Command[] {
  const rebalance = httpToolCommand('rebalance', 'admin', 'move the fewest partitions so that no broker owns more than its share (⌈partitions / brokers⌉)').action(async (opts: HttpToolOptions) => {
    const { body } = await clientFor('admin', opts).request<Moved>('POST', '/admin/v1/rebalance', {}, { retry: true, timeoutMs: MOVE_TIMEOUT_MS });
    if (opts.json) return printJson(body);
    await printMoves(body, 'nothing to move: no broker owns more than its share');
  });
  const drain = httpToolCommand('drain', 'admin', 'move every partition off a broker; it takes no new ones until it restarts')
    .argument('<broker-id>', 'the id of a live broker (see `strata admin brokers`)')
    .action(async (id: string, opts: HttpToolOptions) => {
      const { body } = await clientFor('admin', opts).request<Moved>('POST', `/admin/v1/brokers/${encodeURIComponent(id)}/drain`, undefined, { retry: true, timeoutMs: MOVE_TIMEOUT_MS });
      if (opts.json) return printJson(body);
      await printMoves(body, `broker ${id} owns no partitions; it takes no new ones until it restarts`);
    });
  return [rebalance, drain];
}
