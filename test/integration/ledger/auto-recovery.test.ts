// Auto-recovery with real bookie processes: a bookie killed with kill -9 and kept dead; after the grace
// period its closed ledgers are re-replicated onto the live bookie, every copy is byte for byte the
// original, an offloaded ledger is left alone, and a second round finds nothing to do.
import { afterEach, describe, expect, it, inject } from 'vitest';
import { Registry } from 'prom-client';
import {
  AutoRecovery, BookieClient, writeSet, type LedgerClient, type LedgerMetadata, type LedgerOffload,
} from '../../../ledger/index.js';
import { BookieStatus, entryChecksum } from '../../../protocol/index.js';
import { silentLogger, waitFor } from '../../../common/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { payloadFor } from '../../helpers/payload.js';

const ENTRY_SIZE = 1500;

async function writeClosedLedger(client: LedgerClient, entries: number): Promise<LedgerMetadata> {
  const writer = await client.createLedger({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 });
  await Promise.all(Array.from({ length: entries }, (_, i) => writer.append(payloadFor(writer.ledgerId, i, ENTRY_SIZE))));
  return writer.close();
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  return metric.values[0]?.value ?? 0;
}

describe('auto-recovery (real bookie processes)', () => {
  let cluster: BookieCluster | undefined;
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    await cluster?.destroy();
    cluster = undefined;
  });

  it('re-replicates the closed ledgers of a bookie gone past the grace period onto a live bookie, byte for byte', async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    const client = await cluster.ledgerClient();

    // The ledger to be offloaded picks the victim; then enough ledgers that several hold it.
    const offloaded = await writeClosedLedger(client, 10);
    const victim = offloaded.fragments[0]!.ensemble[0]!;
    const ledgers: LedgerMetadata[] = [];
    for (let i = 0; i < 30 && ledgers.filter((m) => m.fragments[0]!.ensemble.includes(victim)).length < 3; i++) {
      ledgers.push(await writeClosedLedger(client, 40 + i));
    }
    ledgers.push(await writeClosedLedger(client, 0)); // an empty closed ledger: only its metadata names bookies
    const stored = await client.readMetadata(offloaded.id);
    const offload: LedgerOffload = { objectKey: 'test/none', size: 1, checksum: 'crc32c:00000000', formatVersion: 1, indexOffset: 0, blockSize: 1, payloadBytes: 1, offloadedAt: Date.now(), offloadedBy: 'test' };
    await client.metadataStore.update({ ...stored.metadata, offload }, stored.version);

    const affected = ledgers.filter((m) => m.fragments[0]!.ensemble.includes(victim));
    expect(affected.length).toBeGreaterThanOrEqual(2);
    const expectedCopies = affected.reduce((n, m) => n + m.lastEntryId + 1, 0);

    await cluster.bookie(victim).kill9();
    await waitFor('the victim to be unregistered', () => !client.registry.isLive(victim), { timeoutMs: 20_000 });

    const registry = new Registry();
    const recovery = new AutoRecovery(client, { runner: 'runner-1', graceMs: 1000, intervalMs: 200, registry, logger: silentLogger });
    stops.push(() => recovery.stop());
    recovery.start();
    // A second process finds the lock taken: one runner at a time.
    const other = new AutoRecovery(client, { runner: 'runner-2', graceMs: 0, intervalMs: 200, logger: silentLogger });
    stops.push(() => other.stop());
    await waitFor('runner-1 to hold the lock', async () => (await recovery.status()).runner === 'runner-1', { timeoutMs: 10_000 });
    expect(await other.runOnce()).toBeUndefined();

    await waitFor(
      'every affected fragment re-replicated',
      async () => {
        const s = await recovery.status();
        return s.underReplicated === 0 && s.replicatedFragments === affected.length;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    // Every ledger's fragments name only live bookies, and every bookie of each write set holds each
    // entry, byte for byte (read directly from each bookie).
    const live = new Set(client.registry.live());
    const direct = new Map<string, BookieClient>();
    for (const id of live) {
      const c = await BookieClient.connect(cluster.bookie(id).address);
      direct.set(id, c);
      stops.push(() => c.close());
    }
    for (const before of ledgers) {
      const { metadata } = await client.readMetadata(before.id);
      expect(metadata.state).toBe('CLOSED');
      expect(metadata.lastEntryId).toBe(before.lastEntryId);
      expect(metadata.fragments.length).toBe(before.fragments.length);
      for (const f of metadata.fragments) for (const b of f.ensemble) expect(live.has(b), `ledger ${metadata.id} names ${b}`).toBe(true);
      for (let e = 0; e <= metadata.lastEntryId; e++) {
        for (const b of writeSet(metadata.fragments[0]!, e, metadata.writeQuorum)) {
          const res = await direct.get(b)!.readEntries({ ledgerId: metadata.id, firstEntryId: e, lastEntryId: e, maxBytes: 1 << 20 });
          expect(res.status, `ledger ${metadata.id} entry ${e} on ${b}`).toBe(BookieStatus.OK);
          const expected = payloadFor(metadata.id, e, ENTRY_SIZE);
          expect(res.entries[0]!.payload.equals(expected), `ledger ${metadata.id} entry ${e} on ${b}`).toBe(true);
          expect(res.entries[0]!.crc).toBe(entryChecksum(expected));
        }
      }
    }
    // The offloaded ledger needs no bookie copies: it was left as it was.
    expect((await client.readMetadata(offloaded.id)).metadata.fragments[0]!.ensemble).toContain(victim);

    // Progress is visible: the status (for the admin route) and the metrics.
    const status = await recovery.status();
    expect(status).toMatchObject({ underReplicated: 0, replicatedFragments: affected.length, copiedEntries: expectedCopies, running: true, runner: 'runner-1' });
    expect(status.lastRun).not.toBeNull();
    expect(await metricValue(registry, 'strata_auto_recovery_replicated_fragments_total')).toBe(affected.length);
    expect(await metricValue(registry, 'strata_auto_recovery_copied_entries_total')).toBe(expectedCopies);
    expect(await metricValue(registry, 'strata_auto_recovery_under_replicated_ledgers')).toBe(0);
    expect(await metricValue(registry, 'strata_auto_recovery_runner')).toBe(1);

    // A second round finds nothing to do.
    expect(await recovery.runOnce()).toMatchObject({ underReplicated: 0, replicatedFragments: 0, copiedEntries: 0, failedFragments: 0, deferredFragments: 0 });
    expect(await metricValue(registry, 'strata_auto_recovery_copied_entries_total')).toBe(expectedCopies);

    // Stopping releases the lock: another runner takes over, carrying the totals on.
    await recovery.stop();
    await waitFor('the lock to be free', async () => !(await recovery.status()).running, { timeoutMs: 10_000 });
    expect(await other.runOnce()).toMatchObject({ replicatedFragments: 0, copiedEntries: 0 });
    expect(await other.status()).toMatchObject({ running: true, runner: 'runner-2', replicatedFragments: affected.length, copiedEntries: expectedCopies });
  });
});
