// Recovery must not count a "no such entry" from a bookie it has not fenced: that bookie may still take
// a delayed add from the old writer and complete its ack quorum. Real bookie processes, each behind a
// frame proxy that can lose a bookie's fences with their connection or stall a link.
import { afterEach, describe, expect, it, inject } from 'vitest';
import { BookieClient } from '../../../ledger/index.js';
import { waitFor } from '../../../common/index.js';
import { BookieStatus, Command } from '../../../protocol/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { FrameProxy } from '../../helpers/frame-proxy.js';
import { freePorts } from '../../helpers/free-port.js';
import { payloadFor } from '../../helpers/payload.js';

describe('ledger recovery reads (real bookie processes)', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  it("a bookie whose fence was lost does not vouch for an entry's absence (E3 Qw3 Qa2)", async () => {
    const ports = await freePorts(3);
    const proxies = await Promise.all(ports.map((p) => FrameProxy.start(p)));
    closers.push(...proxies.map((p) => () => p.close()));
    // acked: answers entry 5 before any fence; unfenced: its fences are lost, entry 5 reaches it late;
    // fenced: never sees entry 5.
    const ids = ['acked', 'unfenced', 'fenced'];
    const cluster = await BookieCluster.start(3, inject('etcdEndpoints'), (i) => ({ id: ids[i], port: ports[i], env: { STRATA_BOOKIE_ADVERTISED_ADDRESS: proxies[i]!.address } }));
    closers.push(() => cluster.destroy());
    const [acked, unfenced] = cluster.bookies;
    const [ackedProxy, unfencedProxy, fencedProxy] = proxies;
    // Held reads must outlast the hold: a request timeout well above it.
    const [writerClient, recoverer] = [await cluster.ledgerClient(3, 15_000), await cluster.ledgerClient(3, 15_000)];
    const writer = await writerClient.createLedger({ ensembleSize: 3, writeQuorum: 3, ackQuorum: 2 });
    const ledgerId = writer.ledgerId;
    for (let e = 0; e < 5; e++) await writer.append(payloadFor(ledgerId, e, 2000));

    // The old writer's entry 5: one bookie acknowledges it now, the second acknowledgement comes later.
    const entry5 = { ledgerId, entryId: 5, lac: 4, payload: payloadFor(ledgerId, 5, 2000) };
    const direct = await Promise.all([acked!, unfenced!].map((b) => BookieClient.connect(b.address)));
    closers.push(...direct.map((c) => () => c.close()));
    expect((await direct[0]!.addEntry(entry5)).status).toBe(BookieStatus.OK);

    unfencedProxy!.resetOn(Command.FENCE);
    ackedProxy!.holdFrom(Command.READ_ENTRY);
    const recovery = recoverer.openForRecovery(ledgerId).then(
      (reader) => reader.lastReadable,
      (err: Error) => err,
    );
    // Recovery has had every chance to decide without the acknowledging bookie once the fenced bookie
    // answered a read and the unfenced one either answered a read too or lost the fence before it.
    const reads = (proxy: FrameProxy) => proxy.answered.get(Command.READ_ENTRY_RESPONSE) ?? 0;
    await waitFor(
      'the read of entry 5 held at the acknowledging bookie and answered or lost at the others',
      () => ackedProxy!.heldFrames > 0 && reads(fencedProxy!) > 0 && (reads(unfencedProxy!) > 0 || unfencedProxy!.resets >= 2),
      { timeoutMs: 20_000 },
    );

    // The delayed add reaches the bookie that never got a fence: it is accepted, so entry 5 now holds
    // two acknowledgements (ack quorum) and must be in the closed ledger.
    expect(unfencedProxy!.resets).toBeGreaterThan(0);
    expect((await direct[1]!.addEntry(entry5)).status).toBe(BookieStatus.OK);
    ackedProxy!.release();
    expect(await recovery).toBe(5);
    const { metadata } = await recoverer.readMetadata(ledgerId);
    expect(metadata.state).toBe('CLOSED');
    expect(metadata.lastEntryId).toBe(5);
    const entries = await (await recoverer.openReader(ledgerId)).read(0, 5);
    expect(entries.map((e) => e.entryId)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const e of entries) expect(e.payload.equals(payloadFor(ledgerId, e.entryId, 2000)), `entry ${e.entryId}`).toBe(true);
  });
});
