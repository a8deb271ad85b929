// A bookie whose data directory was wiped refuses to start until repaired; once repaired it answers
// "unknown", never "absent", for ledgers that existed before the repair.
import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BookieStatus } from '../../../protocol/index.js';
import { keys } from '../../../metadata/index.js';
import { spawnTs } from '../../helpers/node-child.js';
import { bookieTestKit, payloadFor } from './bookie-harness.js';

describe('bookie cookies (real process)', () => {
  const kit = bookieTestKit();
  afterEach(() => kit.cleanup());

  it('a wiped data directory refuses to serve until `strata bookie repair`, then answers UNKNOWN for older ledgers', async () => {
    const store = kit.store();
    for (let i = 0; i < 5; i++) await store.increment(keys.ledgerIdCounter);
    const bookie = await kit.bookie();
    await bookie.start();
    let client = await kit.client(bookie);
    expect((await client.addEntry({ ledgerId: 4, entryId: 0, lac: -1, payload: payloadFor(4, 0, 100) })).status).toBe(BookieStatus.OK);
    await bookie.stop();

    await fs.rm(bookie.dataDir, { recursive: true, force: true });
    const refused = await bookie.startExpectingFailure();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/has no cookie/);
    expect(refused.output).toMatch(/strata bookie repair/);

    // A directory that belongs to another bookie id is refused too.
    const other = await kit.bookie({ dataDir: `${bookie.dataDir}-other` });
    await other.start();
    await other.stop();
    const swapped = await kit.bookie({ id: bookie.id, dataDir: other.dataDir });
    const swappedStart = await swapped.startExpectingFailure();
    expect(swappedStart.code).not.toBe(0);
    expect(swappedStart.output).toMatch(/belongs to bookie/);

    const repair = spawnTs('cli/main.ts', ['bookie', 'repair', '--id', bookie.id, '--data-dir', bookie.dataDir, '--etcd', kit.etcdEndpoints.join(','), '--etcd-namespace', kit.namespace]);
    await repair.waitForLine(/repaired: new instance/);
    await new Promise((r) => repair.process.once('exit', r));
    expect(repair.process.exitCode).toBe(0);

    await bookie.start();
    client = await kit.client(bookie);
    // Ledger 4 existed before the repair: its lost entry is unknown here, never absent.
    const lost = await client.readEntries({ ledgerId: 4, firstEntryId: 0, lastEntryId: 0, maxBytes: 1000 });
    expect(lost.status).toBe(BookieStatus.UNKNOWN);
    // A ledger created after the repair is vouched for as usual.
    const fresh = await client.readEntries({ ledgerId: 6, firstEntryId: 0, lastEntryId: 0, maxBytes: 1000 });
    expect(fresh.status).toBe(BookieStatus.NO_SUCH_LEDGER);
  });
});
