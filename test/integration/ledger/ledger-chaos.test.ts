// Randomized faults against the ledger protocol, seeded and bounded: in each round a writer process
// streams entries while bookies and the writer are killed (-9) or paused (SIGSTOP) at random; then
// the ledger is recovered. After every round, every entry the writer saw confirmed is in the closed
// ledger, byte-identical, and the closed ledger is a readable prefix with nothing missing.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { RecoveryIncompleteError, type LedgerClient } from '../../../ledger/index.js';
import { delay, waitFor } from '../../../common/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { payloadFor } from '../../helpers/payload.js';
import { spawnTs } from '../../helpers/node-child.js';
import { SeededRandom } from '../../helpers/seeded-random.js';
import type { BookieProcess } from '../../helpers/bookie-process.js';

const ROUNDS = Number(process.env.STRATA_CHAOS_ROUNDS ?? 30);
const SEED = Number(process.env.STRATA_CHAOS_SEED ?? 20261123);
const SIZE = 512;

describe('ledger protocol under random faults', () => {
  let cluster: BookieCluster;
  let client: LedgerClient;
  beforeAll(async () => {
    cluster = await BookieCluster.start(4, inject('etcdEndpoints'));
    client = await cluster.ledgerClient();
  });
  afterAll(() => cluster?.destroy());

  it(`keeps every confirmed entry through ${ROUNDS} rounds of kills and pauses (seed ${SEED})`, { timeout: 20 * 60_000 }, async () => {
    const rnd = new SeededRandom(SEED);
    const summary: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [e, w, a] = rnd.pick([[2, 2, 2], [3, 2, 2], [3, 3, 2]] as const);
      const writer = spawnTs('test/helpers/ledger-writer-child.ts', [JSON.stringify({ endpoints: cluster.etcdEndpoints, namespace: cluster.namespace, e, w, a, size: SIZE, window: 8 })]);
      const ledgerId = Number((await writer.waitForLine(/^ledger \d+$/)).split(' ')[1]);
      const { metadata } = await client.readMetadata(ledgerId);
      const ensemble = metadata.fragments[0]!.ensemble.map((id) => cluster.bookie(id));
      const killed = new Set<BookieProcess>();
      const paused = new Set<BookieProcess>();
      const actions: string[] = [];
      let writerPaused = false;
      let writerDead = false;
      await writer.waitForLine(/^confirmed \d+$/, 20_000);
      for (let step = 0; step < 4; step++) {
        await delay(50 + rnd.int(250));
        const choice = rnd.int(6);
        const alive = ensemble.filter((b) => !killed.has(b) && !paused.has(b));
        if (choice === 0 && alive.length > 1 && killed.size === 0) {
          const b = rnd.pick(alive);
          await b.kill9();
          killed.add(b);
          actions.push(`kill ${b.id}`);
        } else if (choice === 1 && alive.length > 1 && paused.size === 0) {
          const b = rnd.pick(alive);
          process.kill(b.pid!, 'SIGSTOP');
          paused.add(b);
          actions.push(`pause ${b.id}`);
        } else if (choice === 2 && !writerPaused && !writerDead) {
          process.kill(writer.process.pid!, 'SIGSTOP');
          writerPaused = true;
          actions.push('pause writer');
        } else if (choice === 3 && !writerDead) {
          await writer.kill('SIGKILL');
          writerDead = true;
          actions.push('kill writer');
        } else if (choice === 4 && paused.size > 0) {
          for (const b of paused) process.kill(b.pid!, 'SIGCONT');
          paused.clear();
          actions.push('resume bookies');
        } else {
          actions.push('wait');
        }
      }
      // Recover while the writer may still be alive (paused or running): it is the zombie.
      let recovered: number | undefined;
      for (let attempt = 0; recovered === undefined; attempt++) {
        try {
          recovered = (await client.openForRecovery(ledgerId)).lastReadable;
        } catch (err) {
          if (!(err instanceof RecoveryIncompleteError) || attempt > 5) throw err;
          // Too many bookies gone to decide: bring them back, as an operator would, and retry.
          for (const b of paused) process.kill(b.pid!, 'SIGCONT');
          paused.clear();
          for (const b of killed) await b.start();
          killed.clear();
          actions.push('restore bookies for recovery');
        }
      }
      if (writerPaused && !writerDead) process.kill(writer.process.pid!, 'SIGCONT');
      // Give a resumed zombie a moment to try (and fail) to confirm more.
      if (!writerDead) await delay(300);
      await writer.kill('SIGKILL');
      const confirmed = writer.lines.filter((l) => l.startsWith('confirmed ')).map((l) => Number(l.slice(10)));
      expect(confirmed, `round ${round}: confirmations in order`).toEqual(Array.from({ length: confirmed.length }, (_, i) => i));
      const lastConfirmed = confirmed.length - 1;
      expect(recovered, `round ${round} (${actions.join(', ')}): closed at ${recovered}, writer saw ${lastConfirmed} confirmed`).toBeGreaterThanOrEqual(lastConfirmed);
      // Bring every bookie back before reading, then read the whole closed ledger.
      for (const b of paused) process.kill(b.pid!, 'SIGCONT');
      for (const b of killed) await b.start();
      await waitFor('all bookies registered', () => client.registry.live().length === 4, { timeoutMs: 20_000 });
      const reader = await client.openReader(ledgerId);
      const entries = recovered! < 0 ? [] : await reader.read(0, recovered!);
      expect(entries.map((x) => x.entryId)).toEqual(Array.from({ length: recovered! + 1 }, (_, i) => i));
      for (const x of entries) expect(x.payload.equals(payloadFor(ledgerId, x.entryId, SIZE)), `round ${round} entry ${x.entryId}`).toBe(true);
      summary.push(`round ${round} E${e}/${w}/${a} [${actions.join(', ')}] confirmed ${lastConfirmed + 1}, closed at ${recovered}`);
    }
    console.log(`ledger chaos, seed ${SEED}:\n  ${summary.join('\n  ')}`);
  });
});
