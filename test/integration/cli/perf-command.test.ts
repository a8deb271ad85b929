// `strata perf produce` and `strata perf consume` against a real standalone process over the binary protocol:
// counted runs report exactly their messages in JSON, the consumer acknowledges what it took, a fixed rate
// holds, and an unknown topic or a missing server ends with one line and its exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { runCli } from '../../helpers/run-cli.js';
import { StandaloneProcess } from '../../helpers/standalone-process.js';

describe('strata perf', () => {
  let standalone: StandaloneProcess;
  let perf: (args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    standalone = await StandaloneProcess.create();
    await standalone.start();
    perf = (args) => runCli(['perf', ...args, '--url', standalone.binaryUrl], { timeoutMs: 45_000 });
  });
  afterAll(() => standalone?.destroy());

  it('produces 2000 messages to a topic it creates, and a consumer from earliest takes and acknowledges all 2000', async () => {
    const produced = await perf(['produce', '-t', 'counted', '--partitions', '2', '--http-url', standalone.url, '--messages', '2000', '--size', '256', '--json']);
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain('created topic public/default/counted with 2 partitions');
    const p = JSON.parse(produced.stdout);
    expect(p).toMatchObject({ command: 'perf produce', topic: 'public/default/counted', partitions: 2, messages: 2000, failed: 0, bytes: 2000 * 256 });
    expect(p.latencyMs.p50).toBeGreaterThan(0);
    expect(p.latencyMs.max).toBeGreaterThanOrEqual(p.latencyMs.p999);

    const consumed = await perf(['consume', '-t', 'counted', '-S', 'perf', '--initial-position', 'earliest', '--messages', '2000', '--json']);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(JSON.parse(consumed.stdout)).toMatchObject({ command: 'perf consume', subscription: 'perf', messages: 2000, bytes: 2000 * 256, failedAcks: 0 });

    // Everything taken was acknowledged: the subscription has nothing left.
    const again = await perf(['consume', '-t', 'counted', '-S', 'perf', '--duration', '1', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).messages).toBe(0);
  });

  it('sends on a time schedule at --rate and prints a summary table', async () => {
    const run = await perf(['produce', '-t', 'paced', '-p', '1', '--http-url', standalone.url, '--rate', '2000', '--duration', '1.5', '--histogram']);
    expect(run.code, run.stderr).toBe(0);
    const [header, row] = run.stdout.split('\n');
    expect(header).toMatch(/^MESSAGES\s+FAILED\s+SECONDS\s+MSG\/S\s+MB\/S\s+LATENCY P50 MS/);
    const messages = Number(row!.split(/\s+/)[0]!.replace(/,/g, ''));
    // Every message due within the 1.5 s is sent, late or not; a slow machine may add a few.
    expect(messages).toBeGreaterThanOrEqual(2900);
    expect(messages).toBeLessThanOrEqual(3300);
    expect(run.stdout).toContain('send → ack latency');
    expect(run.stderr).toMatch(/^\s+1 s\s+[\d,]+ msg\/s\s+[\d.]+ MB\/s\s+latency ms p50 /m);
  });

  it('names an unknown topic in one line and exits 3 when not asked to create it', async () => {
    for (const args of [['produce', '-t', 'missing', '--messages', '10'], ['consume', '-t', 'missing', '-S', 's', '--messages', '10']]) {
      const run = await perf(args);
      expect(run.code, args[0]).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe('strata: topic public/default/missing does not exist (create it with strata admin topics create, or perf produce --partitions N)\n');
    }
  });

  it('exits 2 with one line naming the URL when no broker listens, and 1 on bad usage', async () => {
    const url = `strata://127.0.0.1:${await freePort()}`;
    for (const args of [['produce', '-t', 'orders', '--messages', '10'], ['consume', '-t', 'orders', '-S', 's']]) {
      const run = await runCli(['perf', ...args, '--url', url]);
      expect(run.code, args[0]).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`strata: cannot reach Strata at ${url} (connection refused); is it running? (set --url or STRATA_BINARY_URL)\n`);
    }
    const cases: Array<[string[], RegExp]> = [
      [['produce', '-t', 'o', '--messages', '5', '--duration', '1'], /'-n, --messages <n>' cannot be used with option '-d, --duration <seconds>'/],
      [['produce', '-t', 'o', '--url', 'http://127.0.0.1:8080'], /'--url <url>' argument 'http:\/\/127.0.0.1:8080' is invalid\. It must be strata:\/\/host:port/],
      [['consume', '-t', 'o'], /required option '-S, --subscription <name>' not specified/],
      [['consume', '-t', 'o', '-S', 's', '--initial-position', 'first'], /Allowed choices are earliest, latest/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(['perf', ...args])));
    for (const [i, run] of runs.entries()) {
      expect(run.code, cases[i]![0].join(' ')).toBe(1);
      expect(run.stderr).toMatch(cases[i]![1]);
    }
  });

  it('answers --help for perf and each of its commands', async () => {
    const runs = await Promise.all([['perf', '--help'], ['perf', 'produce', '--help'], ['perf', 'consume', '--help']].map((args) => runCli(args)));
    for (const run of runs) expect(run.code).toBe(0);
    expect(runs[0]!.stdout).toMatch(/produce \[options\]/);
    expect(runs[1]!.stdout).toMatch(/--rate <n>[\s\S]*open loop/);
    expect(runs[2]!.stdout).toMatch(/--ack-every <n>[\s\S]*cumulatively/);
  });
});
