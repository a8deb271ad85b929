// The `strata` command line: one entry point for every process and tool. Heavy parts (broker, bookie,
// S3 SDK) are loaded by the commands that run them, so the HTTP tools start fast.
import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminCommand } from './admin/admin-command.js';
import { bookieCommand } from './bookie-command.js';
import { brokerCommand } from './broker-command.js';
import { clusterCommand } from './cluster/index.js';
import { CliError, EXIT_CODES } from './errors.js';
import { consumeCommand } from './messaging/consume-command.js';
import { produceCommand } from './messaging/produce-command.js';
import { perfCommand } from './perf/perf-command.js';
import { standaloneCommand } from './standalone-command.js';

/** The package version, from the nearest package.json above this file (source or dist/). */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

export function buildCli(): Command {
  const program = new Command('strata')
    .description('Strata: a messaging service with stateless brokers, fenced ledgers on bookies and tiered storage')
    .version(packageVersion())
    .enablePositionalOptions()
    .addHelpText('after', '\nSettings: flags win over STRATA_* variables, which win over defaults. Commands and exit codes: docs/cli.md.');
  for (const cmd of [standaloneCommand(), bookieCommand(), brokerCommand(), adminCommand(), produceCommand(), consumeCommand(), perfCommand(), clusterCommand()]) program.addCommand(cmd);
  showHelpAfterErrors(program);
  return program;
}

/** Usage errors anywhere end with a hint to --help (commander does not pass this setting down to added commands). */
function showHelpAfterErrors(cmd: Command): void {
  cmd.showHelpAfterError('(add --help for usage)');
  for (const sub of cmd.commands) showHelpAfterErrors(sub);
}

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`strata: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof CliError ? err.exitCode : EXIT_CODES.failure);
  });
