// The bookie command codec: golden bytes, round trips through the parser, the status table and the public surface.
import { describe, it, expect } from 'vitest';
import * as protocol from '../../../protocol/index.js';
import {
  BookieStatus,
  BOOKIE_STATUSES,
  bookieStatusInfo,
  Command,
  decodeAddEntry,
  decodeAddEntryResponse,
  decodeDeleteLedger,
  decodeDeleteLedgerResponse,
  decodeError,
  decodeFence,
  decodeFenceResponse,
  decodeInfo,
  decodeInfoResponse,
  decodeReadEntry,
  decodeReadEntryResponse,
  decodeReadLac,
  decodeReadLacResponse,
  encodeAddEntry,
  encodeAddEntryResponse,
  encodeDeleteLedger,
  encodeDeleteLedgerResponse,
  encodeError,
  encodeFence,
  encodeFenceResponse,
  encodeInfo,
  encodeInfoResponse,
  encodeReadEntry,
  encodeReadEntryResponse,
  encodeReadLac,
  encodeReadLacResponse,
  entryChecksum,
} from '../../../protocol/index.js';
import { wire } from './wire.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

describe('bookie codec golden bytes', () => {
  it('ADD_ENTRY (recovery) encodes to the documented bytes', () => {
    const { hex } = wire(encodeAddEntry(7, { ledgerId: 0x0102030405, entryId: 42, lac: 41, recovery: true, payload: Buffer.from('hello') }));
    expect(hex).toBe(
      '00000029' + '0101' + '0001' + '00000007' + // length 41, ADD_ENTRY, RECOVERY, requestId 7
        '0000000102030405' + '000000000000002a' + '0000000000000029' + // ledgerId, entryId 42, lac 41
        '9a71bb4c' + '68656c6c6f', // CRC32C("hello"), payload
    );
  });

  it('ADD_ENTRY with no LAC writes -1 as all ones', () => {
    const { hex } = wire(encodeAddEntry(1, { ledgerId: 1, entryId: 0, lac: -1, payload: Buffer.from('hello') }));
    expect(hex).toBe('00000029010100000000000100000000000000010000000000000000ffffffffffffffff9a71bb4c68656c6c6f');
  });

  it('READ_ENTRY_RESPONSE encodes to the documented bytes', () => {
    const entries = [
      { entryId: 6, crc: entryChecksum(Buffer.from('e0')), payload: Buffer.from('e0') },
      { entryId: 7, crc: entryChecksum(Buffer.from('e1-abc')), payload: Buffer.from('e1-abc') },
    ];
    const { hex } = wire(encodeReadEntryResponse(9, { status: BookieStatus.OK, ledgerId: 5, lac: 6, entries }));
    expect(hex).toBe(
      '00000046' + '0104' + '0000' + '00000009' + // length 70, READ_ENTRY_RESPONSE, requestId 9
        '0000' + '0000000000000005' + '0000000000000006' + '00000002' + // OK, ledgerId 5, lac 6, 2 entries
        '0000000000000006' + '1c36e2ce' + '00000002' + '6530' + // entry 6, CRC32C("e0"), "e0"
        '0000000000000007' + 'fcada641' + '00000006' + '65312d616263', // entry 7, CRC32C("e1-abc"), "e1-abc"
    );
  });

  it('READ_ENTRY_RESPONSE without entries', () => {
    const { hex } = wire(encodeReadEntryResponse(3, { status: BookieStatus.NO_SUCH_ENTRY, ledgerId: 5, lac: -1, entries: [] }));
    expect(hex).toBe('0000001e01040000000000030002' + '0000000000000005' + 'ffffffffffffffff' + '00000000');
  });

  it('ERROR encodes code and message as length-prefixed UTF-8', () => {
    const { hex } = wire(encodeError(0, { code: 'BAD', message: 'é!' }));
    expect(hex).toBe('00000012' + '0001' + '0000' + '00000000' + '0003' + '424144' + '0003' + 'c3a921');
  });

  it('the CRC32C is the standard Castagnoli checksum', () => {
    expect(entryChecksum(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('bookie codec round trips', () => {
  const payload = Buffer.from('payload bytes');

  it('ADD_ENTRY and its response', () => {
    const { frame } = wire(encodeAddEntry(11, { ledgerId: MAX_SAFE, entryId: MAX_SAFE - 1, lac: MAX_SAFE - 2, payload }));
    expect(frame).toMatchObject({ command: Command.ADD_ENTRY, flags: 0, requestId: 11 });
    expect(decodeAddEntry(frame)).toEqual({ ledgerId: MAX_SAFE, entryId: MAX_SAFE - 1, lac: MAX_SAFE - 2, recovery: false, crc: entryChecksum(payload), payload });
    const { frame: res } = wire(encodeAddEntryResponse(11, { status: BookieStatus.FENCED, ledgerId: 2 ** 40, entryId: 3 }));
    expect(decodeAddEntryResponse(res)).toEqual({ status: BookieStatus.FENCED, ledgerId: 2 ** 40, entryId: 3 });
  });

  it('ADD_ENTRY passes the payload by reference and decodes it as a view of the frame', () => {
    const parts = encodeAddEntry(1, { ledgerId: 1, entryId: 1, lac: 0, payload, crc: entryChecksum(payload) });
    expect(parts[1]).toBe(payload);
    const { frame } = wire(parts);
    expect(decodeAddEntry(frame).payload.buffer).toBe(frame.body.buffer);
  });

  it('ADD_ENTRY with an empty payload', () => {
    const { frame } = wire(encodeAddEntry(1, { ledgerId: 1, entryId: 0, lac: -1, payload: Buffer.alloc(0), recovery: true }));
    expect(decodeAddEntry(frame)).toEqual({ ledgerId: 1, entryId: 0, lac: -1, recovery: true, crc: 0, payload: Buffer.alloc(0) });
  });

  it('READ_ENTRY single and range', () => {
    for (const req of [
      { ledgerId: 9, firstEntryId: 4, lastEntryId: 4, maxBytes: 0 },
      { ledgerId: 9, firstEntryId: 0, lastEntryId: MAX_SAFE, maxBytes: 0xffffffff },
    ]) {
      const { frame } = wire(encodeReadEntry(12, req));
      expect(decodeReadEntry(frame)).toEqual(req);
    }
  });

  it('READ_ENTRY_RESPONSE keeps payloads by reference when encoding and as views when decoding', () => {
    const entries = [0, 1, 2].map((i) => ({ entryId: 100 + i, payload: Buffer.from(`entry ${i}`.repeat(i)), crc: 0 }));
    for (const e of entries) e.crc = entryChecksum(e.payload);
    const parts = encodeReadEntryResponse(13, { status: BookieStatus.OK, ledgerId: 9, lac: 101, entries });
    expect(parts.filter((p) => entries.some((e) => e.payload === p))).toHaveLength(2); // entry 0 is empty: not sent
    const { frame } = wire(parts);
    const decoded = decodeReadEntryResponse(frame);
    expect(decoded).toEqual({ status: BookieStatus.OK, ledgerId: 9, lac: 101, entries });
    expect(decoded.entries[2].payload.buffer).toBe(frame.body.buffer);
  });

  it('READ_LAC immediate and long poll, and its response', () => {
    expect(decodeReadLac(wire(encodeReadLac(1, { ledgerId: 3 })).frame)).toEqual({ ledgerId: 3 });
    const poll = { ledgerId: 3, longPoll: { previousLac: -1, timeoutMs: 5000 } };
    expect(decodeReadLac(wire(encodeReadLac(1, poll)).frame)).toEqual(poll);
    const res = { status: BookieStatus.OK, ledgerId: 3, lac: 17 };
    expect(decodeReadLacResponse(wire(encodeReadLacResponse(1, res)).frame)).toEqual(res);
  });

  it('FENCE and its response', () => {
    expect(decodeFence(wire(encodeFence(2, { ledgerId: 77 })).frame)).toEqual({ ledgerId: 77 });
    const res = { status: BookieStatus.UNKNOWN, ledgerId: 77, lac: -1 };
    const { frame } = wire(encodeFenceResponse(2, res));
    expect(frame.command).toBe(Command.FENCE_RESPONSE);
    expect(decodeFenceResponse(frame)).toEqual(res);
  });

  it('DELETE_LEDGER and its response', () => {
    expect(decodeDeleteLedger(wire(encodeDeleteLedger(4, { ledgerId: 8 })).frame)).toEqual({ ledgerId: 8 });
    const res = { status: BookieStatus.NO_SUCH_LEDGER, ledgerId: 8 };
    expect(decodeDeleteLedgerResponse(wire(encodeDeleteLedgerResponse(4, res)).frame)).toEqual(res);
  });

  it('INFO and its response', () => {
    const { frame, hex } = wire(encodeInfo(5));
    expect(hex).toBe('00000008010b000000000005');
    expect(decodeInfo(frame)).toBeUndefined();
    const res = { status: BookieStatus.OK, freeDiskBytes: 123_456_789_012, bookieId: 'bookie-1:3181', instanceId: '6f1c…ü', version: '0.1.0' };
    expect(decodeInfoResponse(wire(encodeInfoResponse(5, res)).frame)).toEqual(res);
  });

  it('ERROR, with the message cut to 1024 characters', () => {
    const { frame } = wire(encodeError(6, { code: 'MALFORMED_FRAME', message: 'x'.repeat(5000) }));
    expect(frame.requestId).toBe(6);
    expect(decodeError(frame)).toEqual({ code: 'MALFORMED_FRAME', message: 'x'.repeat(1024) });
  });
});

describe('bookie status table', () => {
  it('maps every wire code to one name with its retriability', () => {
    expect(BOOKIE_STATUSES.map((s) => [s.name, s.code, s.retriable])).toEqual([
      ['OK', 0, false],
      ['NO_SUCH_LEDGER', 1, false],
      ['NO_SUCH_ENTRY', 2, false],
      ['FENCED', 3, false],
      ['BAD_REQUEST', 4, false],
      ['UNKNOWN', 5, true],
      ['NOT_WRITABLE', 6, true],
      ['OVERLOADED', 7, true],
      ['ENTRY_EXISTS_DIFFERENT', 8, false],
      ['INTERNAL', 9, true],
    ]);
    for (const [name, code] of Object.entries(BookieStatus)) expect(bookieStatusInfo(code)?.name).toBe(name);
    expect(bookieStatusInfo(10)).toBeUndefined();
  });
});

describe('protocol/index.ts', () => {
  it('exports the framing, connection and codec surface', () => {
    for (const name of ['FrameParser', 'FrameConnection', 'PendingRequests', 'encodeFrame', 'encodeFrameToBuffer', 'ProtocolError', 'DEFAULT_MAX_FRAME_SIZE']) {
      expect(protocol, name).toHaveProperty(name);
    }
  });
});
