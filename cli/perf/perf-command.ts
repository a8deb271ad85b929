// `strata perf`: load generators over the binary protocol (docs/cli.md, "perf").
import { Command } from 'commander';
import { perfConsumeCommand } from './perf-consume-command.js';
import { perfProduceCommand } from './perf-produce-command.js';

export function perfCommand(): Command {
  return new Command('perf')
    .description('load generators over the binary protocol: throughput and latency of producing and consuming')
    .addCommand(perfProduceCommand())
    .addCommand(perfConsumeCommand());
}
