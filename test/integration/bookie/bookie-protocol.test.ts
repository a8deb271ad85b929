// A real bookie process fed bad input and ordinary edge cases: malformed frames get an ERROR frame
// and close that connection only; unknown ledgers and entries get ordinary statuses; LAC long polls.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookieStatus, Command, FrameParser, decodeError, encodeFrameToBuffer, type Frame } from '../../../protocol/index.js';
import type { BookieClient } from '../../../ledger/index.js';
import type { BookieProcess } from '../../helpers/bookie-process.js';
import { bookieTestKit, payloadFor } from './bookie-harness.js';

/** Sends raw bytes on a fresh connection; resolves with the frames received before the bookie closed it. */
async function sendRaw(address: string, chunks: Buffer[], { endAfter = false } = {}): Promise<{ frames: Frame[]; closedByPeer: boolean }> {
  const [host, port] = address.split(':');
  const socket = net.connect({ host, port: Number(port) });
  const parser = new FrameParser();
  const frames: Frame[] = [];
  socket.on('data', (d: Buffer) => frames.push(...parser.push(d)));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (const c of chunks) socket.write(c);
  if (endAfter) socket.end();
  const closedByPeer = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 8000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  socket.destroy();
  return { frames, closedByPeer };
}

describe('bookie protocol edges (real process)', () => {
  const kit = bookieTestKit();
  let bookie: BookieProcess;
  let client: BookieClient;
  beforeAll(async () => {
    bookie = await kit.bookie();
    await bookie.start();
    client = await kit.client(bookie);
    for (let e = 0; e < 5; e++) await client.addEntry({ ledgerId: 1, entryId: e, lac: e - 1, payload: payloadFor(1, e, 1000) });
  });
  afterAll(() => kit.cleanup());

  it('answers unknown ledgers and entries with ordinary statuses and keeps the connection', async () => {
    const noLedger = await client.readEntries({ ledgerId: 12345, firstEntryId: 0, lastEntryId: 0, maxBytes: 1 << 20 });
    expect(noLedger.status).toBe(BookieStatus.NO_SUCH_LEDGER);
    const noEntry = await client.readEntries({ ledgerId: 1, firstEntryId: 99, lastEntryId: 99, maxBytes: 1 << 20 });
    expect(noEntry.status).toBe(BookieStatus.NO_SUCH_ENTRY);
    expect(noEntry.lac).toBe(3);
    const range = await client.readEntries({ ledgerId: 1, firstEntryId: 1, lastEntryId: 4, maxBytes: 1 << 20 });
    expect(range.entries.map((e) => e.entryId)).toEqual([1, 2, 3, 4]);
    expect(range.entries.every((e) => e.payload.equals(payloadFor(1, e.entryId, 1000)))).toBe(true);
    // The byte budget cuts a range short but always returns the first entry.
    const budget = await client.readEntries({ ledgerId: 1, firstEntryId: 0, lastEntryId: 4, maxBytes: 1500 });
    expect(budget.entries.map((e) => e.entryId)).toEqual([0]);
    expect(client.isOpen).toBe(true);
  });

  it('answers a LAC long poll as soon as the LAC passes what the reader saw', async () => {
    const now = await client.readLac(1);
    expect(now.lac).toBe(3);
    const started = Date.now();
    const poll = client.readLac(1, { previousLac: 3, timeoutMs: 10_000 });
    await client.addEntry({ ledgerId: 1, entryId: 5, lac: 4, payload: payloadFor(1, 5, 1000) });
    const advanced = await poll;
    expect(advanced.lac).toBe(4);
    expect(Date.now() - started).toBeLessThan(5000);
    const timedOut = await client.readLac(1, { previousLac: 4, timeoutMs: 200 });
    expect(timedOut).toMatchObject({ status: BookieStatus.OK, lac: 4 });
  });

  it('answers garbage, oversize, truncated and unknown-command frames with an ERROR frame and closes only that connection', async () => {
    const garbage = Buffer.from('this is not a strata frame at all, just text');
    const oversize = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 1, 0, 0, 0, 0, 0, 1]);
    const undersize = Buffer.from([0, 0, 0, 2, 0, 1]);
    const unknownCommand = encodeFrameToBuffer(0x7777, 0, 42, [Buffer.from('hello')]);
    const truncatedAdd = encodeFrameToBuffer(Command.ADD_ENTRY, 0, 43, [Buffer.alloc(10)]);
    for (const bad of [garbage, oversize, undersize, unknownCommand, truncatedAdd]) {
      const { frames, closedByPeer } = await sendRaw(bookie.address, [bad]);
      expect(closedByPeer).toBe(true);
      const errors = frames.filter((f) => f.command === Command.ERROR).map(decodeError);
      expect(errors.length).toBe(1);
      expect(errors[0]!.code).toMatch(/MALFORMED_FRAME|FRAME_TOO_LARGE/);
    }
    // A frame cut off by the client closing: the bookie just drops the connection.
    const half = encodeFrameToBuffer(Command.READ_ENTRY, 0, 1, [Buffer.alloc(28)]).subarray(0, 15);
    const cut = await sendRaw(bookie.address, [half], { endAfter: true });
    expect(cut.frames).toHaveLength(0);
    // Random frames, seeded: never anything but ERROR frames and closes.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (let i = 0; i < 20; i++) {
      const body = Buffer.from(Array.from({ length: 8 + (rnd() % 40) }, rnd));
      body.writeUInt16BE(0x0100 + (rnd() % 16), 0);
      const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
      const { frames } = await sendRaw(bookie.address, [frame], { endAfter: true });
      for (const f of frames) expect([Command.ERROR, Command.ADD_ENTRY_RESPONSE, Command.READ_ENTRY_RESPONSE, Command.READ_LAC_RESPONSE, Command.FENCE_RESPONSE, Command.DELETE_LEDGER_RESPONSE, Command.INFO_RESPONSE]).toContain(f.command);
    }
    // The established client was never disturbed, and the bookie still serves.
    expect(client.isOpen).toBe(true);
    expect((await client.addEntry({ ledgerId: 2, entryId: 0, lac: -1, payload: payloadFor(2, 0, 10) })).status).toBe(BookieStatus.OK);
    const info = await client.info();
    expect(info.bookieId).toBe(bookie.id);
  });

  it('refuses an add whose payload does not match its checksum, keeping the connection', async () => {
    const payload = payloadFor(3, 0, 100);
    const res = await client.addEntry({ ledgerId: 3, entryId: 0, lac: -1, payload, crc: 12345 });
    expect(res.status).toBe(BookieStatus.BAD_REQUEST);
    expect((await client.readEntries({ ledgerId: 3, firstEntryId: 0, lastEntryId: 0, maxBytes: 1000 })).status).not.toBe(BookieStatus.OK);
    expect(client.isOpen).toBe(true);
  });

  it('exports its metrics', async () => {
    const text = await (await fetch(bookie.metricsUrl!)).text();
    expect(text).toMatch(/strata_bookie_adds_total\{kind="normal"\} [1-9]/);
    expect(text).toContain('strata_bookie_journal_sync_seconds_bucket');
    expect(text).toContain('strata_bookie_journal_batch_records_bucket');
    expect(text).toMatch(/strata_bookie_protocol_errors_total [1-9]/);
  });
});
