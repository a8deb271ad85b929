// The `strata` command's failure paths and help: no server (exit 2, one line), bad flags and
// arguments (exit 1 before any request), and --help on every command.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { runCli } from '../../helpers/run-cli.js';

const HTTP_TOOLS: string[][] = [
  ['admin', 'topics', 'create', 'orders'],
  ['admin', 'topics', 'list'],
  ['admin', 'topics', 'stats', 'orders'],
  ['admin', 'topics', 'delete', 'orders'],
  ['admin', 'brokers'],
  ['admin', 'bookies'],
  ['admin', 'ownership'],
  ['produce', 'orders', 'hello'],
  ['consume', 'orders', '-s', 'sub'],
];

describe('strata command errors and help', () => {
  it('exits 2 with one line naming the URL when no server listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const runs = await Promise.all(HTTP_TOOLS.map((args) => runCli([...args, '--url', url])));
    for (const [i, run] of runs.entries()) {
      expect(run.code, HTTP_TOOLS[i]!.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`strata: cannot reach Strata at ${url} (connection refused); is it running? (set --url or STRATA_URL)\n`);
    }
    // The same through STRATA_URL, and with --json (errors never go to stdout).
    const fromEnv = await runCli(['admin', 'brokers', '--json'], { env: { STRATA_URL: url } });
    expect(fromEnv).toMatchObject({ code: 2, stdout: '' });
  });

  it('rejects bad flags and arguments with exit 1 and a message naming them', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['admin', 'topics', 'list', '--bogus'], /unknown option '--bogus'/],
      [['admin', 'topics', 'create', 'orders', '--partitions', '0'], /'-p, --partitions <n>' argument '0' is invalid\. It must be an integer from 1 to 1024/],
      [['admin', 'topics', 'create', 'a/b'], /topic "a\/b": give a topic name or tenant\/namespace\/topic/],
      [['admin', 'topics', 'stats', 'bad name'], /"bad name" must start with a letter or digit/],
      [['admin', 'topics', 'list', 'public'], /namespace "public": give tenant\/namespace/],
      [['admin', 'brokers', '--url', 'localhost:8080'], /'--url <url>' argument 'localhost:8080' is invalid\. It must be an http:\/\/ or https:\/\/ URL/],
      [['produce', 'orders', 'x', '--property', 'novalue'], /'-P, --property <key=value>' argument 'novalue' is invalid\. It must be key=value/],
      [['produce', 'orders', 'x', '--sequence-start', '5'], /--sequence-start needs --producer/],
      [['consume', 'orders'], /required option '-s, --subscription <name>' not specified/],
      [['consume', 'orders', '-s', 'sub', '--count', 'many'], /'-n, --count <n>' argument 'many' is invalid/],
      [['consume', 'orders', '-s', 'sub', '--wait-ms', '40000'], /It must be an integer from 0 to 30000/],
      [['produce'], /missing required argument 'topic'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli([...args, '--url', 'http://127.0.0.1:1'])));
    for (const [i, run] of runs.entries()) {
      expect(run.code, cases[i]![0].join(' ')).toBe(1);
      expect(run.stderr).toMatch(cases[i]![1]);
      expect(run.stdout).toBe('');
    }
    const badEnv = await runCli(['admin', 'brokers'], { env: { STRATA_URL: 'not a url' } });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toMatch(/'--url <url>' value 'not a url' from env 'STRATA_URL' is invalid/);
  });

  it('validates server settings before starting anything', async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [['bookie', '--id', 'b', '--data-dir', '/nonexistent', '--port', '70000'], {}, /'--port <port>' argument '70000' is invalid\. It must be a port number \(0-65535\)/],
      [['bookie', '--data-dir', '/nonexistent', '--etcd', 'http://127.0.0.1:1'], {}, /--id is required \(or set STRATA_BOOKIE_ID\)/],
      [['broker', '--id', 'b'], {}, /--etcd is required \(or set STRATA_ETCD_ENDPOINTS\)/],
      [['broker', '--id', 'b', '--etcd', '127.0.0.1:2379'], {}, /"127\.0\.0\.1:2379" is not an http\(s\):\/\/host:port URL/],
      [['broker', '--id', 'b', '--etcd', 'http://127.0.0.1:1', '--ack-quorum', '3'], {}, /--ack-quorum \(3\) must not exceed --write-quorum \(2\)/],
      [['broker', '--id', 'b', '--etcd', 'http://127.0.0.1:1'], { STRATA_SESSION_TTL_MS: '10' }, /value '10' from env 'STRATA_SESSION_TTL_MS' is invalid\. It must be an integer from 1000 to 3600000/],
      [['standalone', '--log-level', 'loud'], {}, /It must be one of fatal, error, warn, info, debug, trace, silent/],
    ];
    const runs = await Promise.all(cases.map(([args, env]) => runCli(args, { env })));
    for (const [i, run] of runs.entries()) {
      expect(run.code, cases[i]![0].join(' ')).toBe(1);
      expect(run.stderr).toMatch(cases[i]![2]);
    }
  });

  it('prints help for every command and subcommand', async () => {
    const commands = [[], ['standalone'], ['bookie'], ['bookie', 'repair'], ['broker'], ['admin'], ['admin', 'topics'], ...HTTP_TOOLS.map((c) => c.slice(0, c[0] === 'admin' ? (c[1] === 'topics' ? 3 : 2) : 1))];
    const runs = await Promise.all(commands.map((c) => runCli([...c, '--help'])));
    for (const [i, run] of runs.entries()) {
      expect(run.code, commands[i]!.join(' ')).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: strata ${commands[i]!.join(' ')}`.trimEnd()));
    }
    expect(runs[0]!.stdout).toMatch(/admin.*\n.*produce.*\n.*consume/);
    // Options built from the settings schema show their variable and default.
    expect(runs[4]!.stdout).toMatch(/--ensemble-size <n>\s+bookies per ledger \(default: 2, env:\s+STRATA_ENSEMBLE_SIZE\)/);
  });
});
