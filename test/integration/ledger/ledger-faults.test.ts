// The ledger protocol under faults with real processes: a bookie killed mid-stream, a zombie writer
// paused while another process recovers the ledger, and two recoverers racing.
import { afterEach, describe, expect, it, inject } from 'vitest';
import { LedgerFencedError, LedgerNeedsRollError, type LedgerClient, type LedgerWriter } from '../../../ledger/index.js';
import { waitFor } from '../../../common/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { payloadFor } from '../../helpers/payload.js';
import { spawnTs, type NodeChild } from '../../helpers/node-child.js';

/** Appends with a window in flight until stopped; records what was confirmed, in order. */
function streamInto(writer: LedgerWriter, window = 16) {
  const confirmed: number[] = [];
  let stopped = false;
  let error: unknown;
  const done = (async () => {
    let next = 0;
    const inflight = new Set<Promise<void>>();
    while (!stopped && error === undefined) {
      const entryId = next++;
      const p: Promise<void> = writer
        .append(payloadFor(writer.ledgerId, entryId, 2000))
        .then((e) => void confirmed.push(e))
        .catch((err: unknown) => void (error ??= err))
        .finally(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= window) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  })();
  return {
    confirmed,
    error: () => error,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function expectReadable(client: LedgerClient, ledgerId: number, upTo: number): Promise<void> {
  const reader = await client.openReader(ledgerId);
  const entries = upTo < 0 ? [] : await reader.read(0, upTo);
  expect(entries.map((e) => e.entryId)).toEqual(Array.from({ length: upTo + 1 }, (_, i) => i));
  for (const e of entries) expect(e.payload.equals(payloadFor(ledgerId, e.entryId, 2000)), `entry ${e.entryId}`).toBe(true);
}

describe('ledger client under faults (real bookie processes)', () => {
  let cluster: BookieCluster | undefined;
  const children: NodeChild[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
    await cluster?.destroy();
    cluster = undefined;
  });

  for (const [bookies, e, w, a] of [[3, 2, 2, 2], [4, 3, 2, 2]] as const) {
    it(`a bookie killed with kill -9 mid-stream: the writer changes ensemble and continues (${bookies} bookies, E${e} Qw${w} Qa${a})`, async () => {
      cluster = await BookieCluster.start(bookies, inject('etcdEndpoints'));
      const client = await cluster.ledgerClient();
      const writer = await client.createLedger({ ensembleSize: e, writeQuorum: w, ackQuorum: a });
      const stream = streamInto(writer);
      await waitFor('200 confirmed', () => stream.confirmed.length >= 200, { timeoutMs: 20_000 });
      const victim = cluster.bookie(writer.metadata.fragments[0]!.ensemble[0]!);
      await victim.kill9();
      const atKill = stream.confirmed.length;
      await waitFor('400 more confirmed after the kill', () => stream.confirmed.length >= atKill + 400, { timeoutMs: 30_000 });
      await stream.stop();
      expect(stream.error()).toBeUndefined();
      expect(stream.confirmed).toEqual(Array.from({ length: stream.confirmed.length }, (_, i) => i));
      const closed = await writer.close();
      expect(closed.fragments.length).toBe(2);
      expect(closed.fragments[1]!.ensemble).not.toContain(victim.id);
      expect(closed.lastEntryId).toBe(stream.confirmed.length - 1);
      await expectReadable(client, writer.ledgerId, closed.lastEntryId);
    });
  }

  it('with no spare bookie the writer closes the ledger at its last confirmed entry and says to roll', async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    const client = await cluster.ledgerClient();
    const writer = await client.createLedger({ ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 });
    const stream = streamInto(writer);
    await waitFor('100 confirmed', () => stream.confirmed.length >= 100, { timeoutMs: 20_000 });
    await cluster.bookies[1]!.kill9();
    await waitFor('the writer to give up', () => stream.error() !== undefined, { timeoutMs: 30_000 });
    await stream.stop();
    expect(stream.error()).toBeInstanceOf(LedgerNeedsRollError);
    await waitFor('ledger closed', async () => (await client.readMetadata(writer.ledgerId)).metadata.state === 'CLOSED', { timeoutMs: 10_000 });
    const { metadata } = await client.readMetadata(writer.ledgerId);
    expect(metadata.lastEntryId).toBe(stream.confirmed.length - 1);
    expect(stream.confirmed).toEqual(Array.from({ length: stream.confirmed.length }, (_, i) => i));
    await expectReadable(client, writer.ledgerId, metadata.lastEntryId);
  });

  it('a zombie writer paused with SIGSTOP gets nothing confirmed after another process recovered the ledger', async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    const client = await cluster.ledgerClient();
    const writerProcess = spawnTs('test/helpers/ledger-writer-child.ts', [JSON.stringify({ endpoints: cluster.etcdEndpoints, namespace: cluster.namespace, e: 2, w: 2, a: 2, size: 2000 })]);
    children.push(writerProcess);
    const ledgerId = Number((await writerProcess.waitForLine(/^ledger \d+$/)).split(' ')[1]);
    await writerProcess.waitForLine(/^confirmed 300$/);
    process.kill(writerProcess.process.pid!, 'SIGSTOP');
    const confirmedBeforePause = writerProcess.lines.filter((l) => l.startsWith('confirmed ')).length;
    const reader = await client.openForRecovery(ledgerId);
    const { metadata } = await client.readMetadata(ledgerId);
    expect(metadata.state).toBe('CLOSED');
    // Everything the writer had confirmed is in the closed ledger.
    expect(metadata.lastEntryId).toBeGreaterThanOrEqual(confirmedBeforePause - 1);
    process.kill(writerProcess.process.pid!, 'SIGCONT');
    await writerProcess.waitForLine(/^failed /, 20_000);
    const confirmed = writerProcess.lines.filter((l) => l.startsWith('confirmed ')).map((l) => Number(l.slice(10)));
    // Nothing confirmed to the zombie lies beyond what the recoverer closed.
    expect(Math.max(...confirmed)).toBeLessThanOrEqual(metadata.lastEntryId);
    expect(confirmed).toEqual(Array.from({ length: confirmed.length }, (_, i) => i));
    expect(writerProcess.lines.find((l) => l.startsWith('failed '))).toBe('failed LEDGER_FENCED');
    // Readers see exactly the closed prefix.
    expect(reader.lastReadable).toBe(metadata.lastEntryId);
    await expectReadable(client, ledgerId, metadata.lastEntryId);
  });

  it('two recoverers racing close the ledger at the same entry', async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    const c1 = await cluster.ledgerClient();
    const c2 = await cluster.ledgerClient();
    const writer = await c1.createLedger({ ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 });
    const stream = streamInto(writer);
    await waitFor('150 confirmed', () => stream.confirmed.length >= 150, { timeoutMs: 20_000 });
    const [r1, r2] = await Promise.all([c1.openForRecovery(writer.ledgerId), c2.openForRecovery(writer.ledgerId)]);
    await stream.stop();
    expect(stream.error()).toBeInstanceOf(LedgerFencedError);
    expect(r1.lastReadable).toBe(r2.lastReadable);
    const { metadata } = await c1.readMetadata(writer.ledgerId);
    expect(metadata.lastEntryId).toBe(r1.lastReadable);
    expect(metadata.lastEntryId).toBeGreaterThanOrEqual(stream.confirmed.length - 1);
    await expectReadable(c1, writer.ledgerId, metadata.lastEntryId);
    // The writer's own close yields to the recoverers.
    await expect(writer.close()).rejects.toBeInstanceOf(LedgerFencedError);
  });
});
