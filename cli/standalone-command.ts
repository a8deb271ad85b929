// `strata standalone` (= `npm start`): the command around runStandalone, with its settings from the schema.
import { Command } from 'commander';
import { addSettings, resolveSettings } from './config/index.js';

export function standaloneCommand(): Command {
  return addSettings(
    new Command('standalone').description('run everything in one process on embedded defaults (what `npm start` runs)'),
    'standalone',
  ).action(async (opts: Record<string, unknown>) => {
    const settings = resolveSettings('standalone', opts);
    process.env.STRATA_LOG_LEVEL = settings.logLevel; // read by the logger (common/logger.ts)
    const { runStandalone } = await import('./standalone.js');
    await runStandalone({ dataDir: settings.dataDir, httpHost: settings.httpHost, httpPort: settings.httpPort, binaryPort: settings.binaryPort });
  });
}
