// `strata admin auto-recovery`: the progress of re-replicating ledgers that lost a bookie.
import type { Command } from 'commander';
import { clientFor, httpToolCommand, print, printJson, type HttpToolOptions } from '../http-tool-command.js';
import { textTable } from '../text-table.js';
import type { AutoRecoveryStatus } from '../../ledger/index.js';

export function autoRecoveryCommand(): Command {
  return httpToolCommand('auto-recovery', 'admin', 'under-replicated ledgers and the re-replication done so far (GET /admin/v1/auto-recovery)').action(
    async (opts: HttpToolOptions) => {
      const { body } = await clientFor('admin', opts).request<AutoRecoveryStatus>('GET', '/admin/v1/auto-recovery', undefined, { retry: true });
      if (opts.json) return printJson(body);
      await print(
        textTable(
          ['RUNNING', 'RUNNER', 'UNDER-REPLICATED', 'REPLICATED FRAGMENTS', 'COPIED ENTRIES', 'LAST RUN'],
          [[body.running ? 'yes' : 'no', body.runner ?? '-', body.underReplicated, body.replicatedFragments, body.copiedEntries, body.lastRun ?? 'never']],
        ),
      );
    },
  );
}
