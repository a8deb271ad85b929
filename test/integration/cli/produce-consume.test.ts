// `strata produce` and `strata consume` against a real standalone process: messages from arguments
// and stdin, keys and properties, producer sequence ids and deduplication, --count, --json, --follow,
// and acknowledgement of exactly what was printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTs } from '../../helpers/node-child.js';
import { runCli } from '../../helpers/run-cli.js';
import { StandaloneProcess } from '../../helpers/standalone-process.js';

describe('strata produce and consume', () => {
  let standalone: StandaloneProcess;
  let strata: (args: string[], input?: string) => ReturnType<typeof runCli>;
  let topicN = 0;
  const newTopic = async (partitions = 1) => {
    const topic = `t${++topicN}`;
    expect((await strata(['admin', 'topics', 'create', topic, '-p', String(partitions)])).code).toBe(0);
    return topic;
  };

  beforeAll(async () => {
    standalone = await StandaloneProcess.create();
    await standalone.start();
    strata = (args, input) => runCli([...args, '--url', standalone.url], { input });
  });
  afterAll(() => standalone?.destroy());

  it('produces the arguments and consumes them in order, acknowledging what it printed', async () => {
    const topic = await newTopic();
    expect(await strata(['produce', topic, 'one', 'two', 'three'])).toMatchObject({ code: 0, stdout: 'produced 3 messages to public/default/' + topic + '\n' });
    const first = await strata(['consume', topic, '-s', 'sub', '--count', '2']);
    expect(first).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
    expect(first.stderr).toMatch(/received and acknowledged 2 messages/);
    // The two printed messages were acknowledged: the subscription goes on with the third only.
    const rest = await strata(['consume', topic, '-s', 'sub', '--wait-ms', '200']);
    expect(rest).toMatchObject({ code: 0, stdout: 'three\n' });
    expect(await strata(['consume', topic, '-s', 'sub', '--wait-ms', '200'])).toMatchObject({ code: 0, stdout: '' });
    // Another subscription starts at the earliest message.
    expect((await strata(['consume', topic, '-s', 'other', '--wait-ms', '200'])).stdout).toBe('one\ntwo\nthree\n');
  });

  it('reads one message per stdin line, with key and properties, and prints JSON', async () => {
    const topic = await newTopic(2);
    const lines = Array.from({ length: 1200 }, (_, i) => `line ${i}`);
    const produced = await strata(['produce', topic, '--key', 'k1', '-P', 'source=cli', '-P', 'n=1', '--json'], lines.join('\n') + '\n');
    expect(produced.code).toBe(0);
    const results = produced.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(results).toHaveLength(1200);
    // One key, one partition.
    expect(new Set(results.map((r) => r.partition)).size).toBe(1);
    const consumed = await strata(['consume', topic, '-s', 'sub', '--json', '--wait-ms', '500']);
    expect(consumed.code).toBe(0);
    const messages = consumed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(messages.map((m) => m.value)).toEqual(lines);
    expect(messages[0]).toMatchObject({ key: 'k1', properties: { source: 'cli', n: '1' }, partition: results[0].partition, id: results[0].id });
  });

  it('gives messages of a named producer growing sequence ids; a resend is a duplicate, not stored twice', async () => {
    const topic = await newTopic();
    const first = await strata(['produce', topic, 'a', 'b', '--producer', 'p1', '--sequence-start', '100', '--json']);
    expect(first.stdout.trim().split('\n').map((l) => JSON.parse(l).sequenceId)).toEqual([100, 101]);
    const resend = await strata(['produce', topic, 'a', 'b', '--producer', 'p1', '--sequence-start', '100']);
    expect(resend).toMatchObject({ code: 0, stdout: `produced 2 messages to public/default/${topic} (2 already stored: duplicates)\n` });
    const next = await strata(['produce', topic, 'c', '--producer', 'p1']);
    expect(next.code).toBe(0);
    expect((await strata(['consume', topic, '-s', 'sub', '--wait-ms', '200'])).stdout).toBe('a\nb\nc\n');
  });

  it('--follow waits for messages produced later and stops at --count; Ctrl-C ends it cleanly', async () => {
    const topic = await newTopic();
    const follower = spawnTs('cli/main.ts', ['consume', topic, '-s', 'live', '--follow', '--count', '2', '--url', standalone.url]);
    try {
      expect((await strata(['produce', topic, 'late-1'])).code).toBe(0);
      await follower.waitForLine(/^late-1$/);
      expect((await strata(['produce', topic, 'late-2', 'late-3'])).code).toBe(0);
      const code = await new Promise<number | null>((r) => (follower.process.exitCode !== null ? r(follower.process.exitCode) : follower.process.once('exit', r)));
      expect(code).toBe(0);
      expect(follower.lines).toEqual(['late-1', 'late-2']);
    } finally {
      await follower.kill();
    }
    const interrupted = spawnTs('cli/main.ts', ['consume', topic, '-s', 'live', '--follow', '--url', standalone.url]);
    try {
      await interrupted.waitForLine(/^late-3$/);
      interrupted.process.kill('SIGINT');
      const code = await new Promise<number | null>((r) => interrupted.process.once('exit', r));
      expect(code).toBe(0);
      expect(interrupted.stderr()).toMatch(/received and acknowledged 1 message \(/);
    } finally {
      await interrupted.kill();
    }
    expect((await strata(['consume', topic, '-s', 'live', '--wait-ms', '200'])).stdout).toBe('');
  });

  it('unknown topics exit 3 with one line, for produce and consume', async () => {
    for (const args of [['produce', 'missing', 'x'], ['consume', 'missing', '-s', 'sub']]) {
      const run = await strata(args);
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr).toBe('strata: topic public/default/missing does not exist\n');
    }
  });
});
