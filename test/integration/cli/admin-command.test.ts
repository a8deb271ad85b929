// `strata admin` against a real standalone process: topics create/list/stats/delete, brokers, bookies,
// ownership, in text and --json; unknown topics and conflicts exit non-zero with the server's message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { StandaloneProcess } from '../../helpers/standalone-process.js';

describe('strata admin', () => {
  let standalone: StandaloneProcess;
  let admin: (...args: string[]) => ReturnType<typeof runCli>;
  beforeAll(async () => {
    standalone = await StandaloneProcess.create();
    await standalone.start();
    admin = (...args) => runCli(['admin', ...args, '--url', standalone.url]);
  });
  afterAll(() => standalone?.destroy());

  it('creates a topic, says so again idempotently, and refuses other settings with exit 4', async () => {
    const created = await admin('topics', 'create', 'orders', '--partitions', '2');
    expect(created).toMatchObject({ code: 0, stdout: 'created topic public/default/orders with 2 partitions\n' });
    const again = await admin('topics', 'create', 'public/default/orders', '-p', '2', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ name: 'public/default/orders', partitions: 2, created: false });
    const conflict = await admin('topics', 'create', 'orders', '-p', '3');
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toBe('strata: topic public/default/orders exists with 2 partitions\n');
  });

  it('lists the topics of a namespace as a table and as JSON', async () => {
    await admin('topics', 'create', 'acme/billing/invoices', '-p', '3');
    const table = await admin('topics', 'list', 'acme/billing');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TOPIC\s+PARTITIONS$/);
    expect(table.stdout).toMatch(/^acme\/billing\/invoices\s+3$/m);
    const json = await admin('topics', 'list', 'acme/billing', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ topics: [{ name: 'acme/billing/invoices', partitions: 3 }] });
    const empty = await admin('topics', 'list', 'acme/empty');
    expect(empty).toMatchObject({ code: 0, stdout: 'no topics in acme/empty\n' });
  });

  it("shows a topic's stats per partition, with its subscriptions' backlog", async () => {
    await admin('topics', 'create', 'stats-demo');
    expect((await runCli(['produce', 'stats-demo', 'a', 'b', 'c', '--url', standalone.url])).code).toBe(0);
    expect((await runCli(['consume', 'stats-demo', '-s', 'audit', '-n', '1', '--url', standalone.url])).code).toBe(0);
    const text = await admin('topics', 'stats', 'stats-demo');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^topic public\/default\/stats-demo: 1 partition$/m);
    expect(text.stdout).toMatch(/^0\s+standalone\s+3\s+\d+\s+1\s+0\s+audit \(\d+\)$/m);
    const json = JSON.parse((await admin('topics', 'stats', 'stats-demo', '--json')).stdout);
    expect(json).toMatchObject({ name: 'public/default/stats-demo', partitions: 1, stats: [{ partition: 0, owner: 'standalone', msgIn: 3, subscriptions: { audit: { backlog: expect.any(Number) } } }] });
  });

  it('auto-recovery: standalone (a single bookie) runs none and says so, exit 3', async () => {
    const run = await admin('auto-recovery');
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('strata: auto-recovery does not run on this broker (standalone runs none: it has a single bookie)\n');
  });

  it('deletes a topic; stats and delete of an unknown topic exit 3 with one line', async () => {
    await admin('topics', 'create', 'short-lived');
    expect(await admin('topics', 'delete', 'short-lived')).toMatchObject({ code: 0, stdout: 'deleted topic public/default/short-lived\n' });
    for (const args of [['topics', 'stats', 'short-lived'], ['topics', 'delete', 'short-lived'], ['topics', 'stats', 'never-was', '--json']]) {
      const run = await admin(...args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^strata: topic public\/default\/(short-lived|never-was) does not exist\n$/);
    }
  });

  it('lists brokers, bookies and ownership', async () => {
    await admin('topics', 'create', 'owned');
    expect((await runCli(['produce', 'owned', 'x', '--url', standalone.url])).code).toBe(0);
    const [brokers, bookies, ownership] = await Promise.all([admin('brokers'), admin('bookies'), admin('ownership')]);
    expect(brokers.stdout).toMatch(new RegExp(`^standalone\\s+${standalone.url.replace(/[.:/]/g, '\\$&')}\\s+\\d+$`, 'm'));
    expect(bookies.stdout).toMatch(/^standalone-bookie\s+127\.0\.0\.1:\d+$/m);
    expect(ownership.stdout).toMatch(/^public\/default\/owned\s+0\s+standalone$/m);
    const json = await Promise.all([admin('brokers', '--json'), admin('bookies', '--json'), admin('ownership', '--json')]);
    expect(JSON.parse(json[0].stdout).brokers).toEqual([expect.objectContaining({ id: 'standalone', httpUrl: standalone.url })]);
    expect(JSON.parse(json[1].stdout).bookies).toEqual([expect.objectContaining({ id: 'standalone-bookie' })]);
    expect(JSON.parse(json[2].stdout).ownership).toContainEqual({ topic: 'public/default/owned', partition: 0, broker: 'standalone' });
  });

  it('takes the URL from STRATA_URL, and --url over it', async () => {
    const fromEnv = await runCli(['admin', 'topics', 'list', '--json'], { env: { STRATA_URL: standalone.url } });
    expect(fromEnv.code).toBe(0);
    const flagWins = await runCli(['admin', 'topics', 'list', '--json', '--url', standalone.url], { env: { STRATA_URL: 'http://127.0.0.1:1' } });
    expect(flagWins.code).toBe(0);
    expect(JSON.parse(flagWins.stdout)).toEqual(JSON.parse(fromEnv.stdout));
  });
});
