// What every HTTP tool command shares (`admin …`, `produce`, `consume`): --url from the settings schema,
// --json, the client, and writing output.
import { Command } from 'commander';
import { addSettings, resolveSettings } from './config/index.js';
import { StrataHttpClient } from './http/strata-http-client.js';

export type HttpToolName = 'admin' | 'produce' | 'consume';

export interface HttpToolOptions {
  json?: boolean;
}

/** A leaf command with the settings of `tool` and --json. */
export function httpToolCommand(name: string, tool: HttpToolName, description: string): Command {
  return addSettings(new Command(name).description(description), tool).option('--json', 'print JSON (one document, or one object per line for streams) for scripts');
}

export function clientFor(tool: HttpToolName, opts: object): StrataHttpClient {
  return new StrataHttpClient(resolveSettings(tool, opts).url);
}

/** Resolves once `text` is handed to stdout (so what follows, such as an ack, happens after the print). */
export function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

export function printJson(value: unknown): Promise<void> {
  return print(JSON.stringify(value) + '\n');
}
