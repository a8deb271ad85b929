// The ledger client against real bookie processes: quorum writes, in-order confirmation, close,
// reads from replicas, reads bounded by the LAC, deletion.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { EntryOutOfRangeError, LedgerClosedError, type LedgerClient } from '../../../ledger/index.js';
import { BookieCluster } from '../../helpers/bookie-cluster.js';
import { payloadFor } from '../../helpers/payload.js';

describe('ledger client: write, close, read (3 bookie processes)', () => {
  let cluster: BookieCluster;
  let client: LedgerClient;
  beforeAll(async () => {
    cluster = await BookieCluster.start(3, inject('etcdEndpoints'));
    client = await cluster.ledgerClient();
  });
  afterAll(() => cluster?.destroy());

  for (const [e, w, a] of [[2, 2, 2], [3, 2, 2], [3, 3, 2], [1, 1, 1]] as const) {
    it(`writes, confirms in order, closes and reads back byte-identical (E${e} Qw${w} Qa${a})`, async () => {
      const writer = await client.createLedger({ ensembleSize: e, writeQuorum: w, ackQuorum: a });
      const id = writer.ledgerId;
      const order: number[] = [];
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => writer.append(payloadFor(id, i)).then((entryId) => (order.push(entryId), entryId))));
      expect(results).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(order).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(writer.lac).toBe(299);
      const closed = await writer.close();
      expect(closed.state).toBe('CLOSED');
      expect(closed.lastEntryId).toBe(299);
      expect(closed.length).toBe(results.reduce((s, i) => s + payloadFor(id, i).length, 0));
      await expect(writer.append(Buffer.from('late'))).rejects.toBeInstanceOf(LedgerClosedError);
      const reader = await client.openReader(id);
      const entries = await reader.read(0, 299);
      expect(entries.map((x) => x.entryId)).toEqual(results);
      for (const x of entries) expect(x.payload.equals(payloadFor(id, x.entryId)), `entry ${x.entryId}`).toBe(true);
      await expect(reader.read(0, 300)).rejects.toBeInstanceOf(EntryOutOfRangeError);
      await client.clearIntent(id);
    });
  }

  it('an open ledger is readable up to its LAC and not beyond', async () => {
    const writer = await client.createLedger({ ensembleSize: 2, writeQuorum: 2, ackQuorum: 2 });
    for (let i = 0; i < 10; i++) await writer.append(payloadFor(writer.ledgerId, i));
    const reader = await client.openReader(writer.ledgerId);
    // The bookies know LAC 8: each add carries the LAC before it.
    const lac = await reader.readLac();
    expect(lac).toBe(8);
    expect((await reader.read(0, lac)).length).toBe(9);
    await expect(reader.read(0, 9)).rejects.toBeInstanceOf(EntryOutOfRangeError);
    const polled = reader.readLac({ previousLac: 8, timeoutMs: 5000 });
    await writer.append(payloadFor(writer.ledgerId, 10));
    expect(await polled).toBe(9);
    await writer.close();
  });

  it('deletes a ledger from its bookies and the metadata store', async () => {
    const writer = await client.createLedger({ ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 });
    for (let i = 0; i < 20; i++) await writer.append(payloadFor(writer.ledgerId, i));
    const { ensemble } = (await writer.close()).fragments[0]!;
    await client.deleteLedger(writer.ledgerId);
    await expect(client.readMetadata(writer.ledgerId)).rejects.toThrow(/does not exist/);
    for (const b of ensemble) {
      const res = await (await client.pool.get(b)).readEntries({ ledgerId: writer.ledgerId, firstEntryId: 0, lastEntryId: 0, maxBytes: 1000 });
      expect(res.status, `bookie ${b}`).toBe(1 /* NO_SUCH_LEDGER */);
    }
  });
});
