// The `strata` command line: one entry point for every process and tool.
import { Command, Option } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStandalone } from './standalone.js';
import { bookieCommand } from './bookie-command.js';
import { brokerCommand } from './broker-command.js';
import { parsePort } from './parse-options.js';

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
    .showHelpAfterError()
    .enablePositionalOptions();

  program
    .command('standalone')
    .description('run everything in one process on embedded defaults (what `npm start` runs)')
    .addOption(new Option('--data-dir <dir>', 'where all data lives').env('STRATA_DATA_DIR').default('./data'))
    .addOption(new Option('--http-host <host>', 'HTTP listen address').env('STRATA_HTTP_HOST').default('127.0.0.1'))
    .addOption(new Option('--http-port <port>', 'HTTP API port').env('STRATA_HTTP_PORT').default('8080'))
    .addOption(new Option('--binary-port <port>', 'binary protocol port').env('STRATA_BINARY_PORT').default('6650'))
    .action(async (opts: { dataDir: string; httpHost: string; httpPort: string; binaryPort: string }) => {
      await runStandalone({ dataDir: opts.dataDir, httpHost: opts.httpHost, httpPort: parsePort(opts.httpPort, '--http-port'), binaryPort: parsePort(opts.binaryPort, '--binary-port') });
    });

  program.addCommand(bookieCommand());
  program.addCommand(brokerCommand());

  return program;
}

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`strata: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
