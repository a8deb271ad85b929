// The bookie command codec rejects what the wire grammar does not allow: truncation, trailing bytes, unknown
// commands, flags and statuses, out-of-range ids, bad checksums, invalid UTF-8; encoders refuse unencodable values.
import { describe, it, expect } from 'vitest';
import {
  BookieStatus,
  ChecksumMismatchError,
  MalformedFrameError,
  ProtocolError,
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
  type Frame,
} from '../../../protocol/index.js';
import { prng } from './prng.js';
import { wire } from './wire.js';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A frame with `body` replaced, keeping the header fields. */
const withBody = (frame: Frame, body: Buffer): Frame => ({ ...frame, body });

describe('bookie codec validation', () => {
  const p = Buffer.from('abc');
  const samples: [string, Buffer[], (f: Frame) => unknown][] = [
    ['ADD_ENTRY_RESPONSE', encodeAddEntryResponse(1, { status: 0, ledgerId: 1, entryId: 2 }), decodeAddEntryResponse],
    ['READ_ENTRY', encodeReadEntry(1, { ledgerId: 1, firstEntryId: 2, lastEntryId: 3, maxBytes: 4 }), decodeReadEntry],
    ['READ_ENTRY_RESPONSE', encodeReadEntryResponse(1, { status: 0, ledgerId: 1, lac: 1, entries: [{ entryId: 1, crc: entryChecksum(p), payload: p }] }), decodeReadEntryResponse],
    ['READ_LAC', encodeReadLac(1, { ledgerId: 1, longPoll: { previousLac: 0, timeoutMs: 1 } }), decodeReadLac],
    ['READ_LAC_RESPONSE', encodeReadLacResponse(1, { status: 0, ledgerId: 1, lac: 0 }), decodeReadLacResponse],
    ['FENCE', encodeFence(1, { ledgerId: 1 }), decodeFence],
    ['FENCE_RESPONSE', encodeFenceResponse(1, { status: 0, ledgerId: 1, lac: 0 }), decodeFenceResponse],
    ['DELETE_LEDGER', encodeDeleteLedger(1, { ledgerId: 1 }), decodeDeleteLedger],
    ['DELETE_LEDGER_RESPONSE', encodeDeleteLedgerResponse(1, { status: 0, ledgerId: 1 }), decodeDeleteLedgerResponse],
    ['INFO', encodeInfo(1), decodeInfo],
    ['INFO_RESPONSE', encodeInfoResponse(1, { status: 0, freeDiskBytes: 1, bookieId: 'b', instanceId: 'i', version: 'v' }), decodeInfoResponse],
    ['ERROR', encodeError(1, { code: 'C', message: 'm' }), decodeError],
  ];

  it.each(samples)('%s: every truncation and a trailing byte are MalformedFrameError', (_name, parts, decode) => {
    const { frame } = wire(parts);
    for (let n = 0; n < frame.body.length; n++) {
      expect(() => decode(withBody(frame, frame.body.subarray(0, n))), `cut at ${n}`).toThrow(MalformedFrameError);
    }
    expect(() => decode(withBody(frame, Buffer.concat([frame.body, Buffer.from([0])])))).toThrow(MalformedFrameError);
  });

  it.each(samples)('%s: a different command or an unknown flag is MalformedFrameError', (_name, parts, decode) => {
    const { frame } = wire(parts);
    expect(() => decode({ ...frame, command: frame.command ^ 0x0800 })).toThrow(MalformedFrameError);
    expect(() => decode({ ...frame, flags: 0x8000 })).toThrow(MalformedFrameError);
  });

  it('ADD_ENTRY: a short fixed part is malformed; a changed payload fails the checksum', () => {
    const { frame } = wire(encodeAddEntry(1, { ledgerId: 1, entryId: 2, lac: 1, payload: Buffer.from('abcdef') }));
    for (let n = 0; n < 28; n++) expect(() => decodeAddEntry(withBody(frame, frame.body.subarray(0, n)))).toThrow(MalformedFrameError);
    for (let n = 28; n < frame.body.length; n++) expect(() => decodeAddEntry(withBody(frame, frame.body.subarray(0, n)))).toThrow(ChecksumMismatchError);
    const flipped = Buffer.from(frame.body);
    flipped[30] ^= 1;
    let error: unknown;
    try {
      decodeAddEntry(withBody(frame, flipped));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH', retriable: true, ledgerId: 1, entryId: 2, expected: entryChecksum(Buffer.from('abcdef')) });
  });

  it('rejects u64 ids above 2^53-1 and negative LACs other than -1', () => {
    const { frame } = wire(encodeAddEntry(1, { ledgerId: MAX_SAFE, entryId: 0, lac: -1, payload: Buffer.alloc(0) }));
    expect(frame.body.subarray(0, 8).toString('hex')).toBe('001fffffffffffff');
    const over = Buffer.from(frame.body);
    over.write('0020000000000000', 0, 'hex');
    expect(() => decodeAddEntry(withBody(frame, over))).toThrow(/ledgerId exceeds 2\^53-1/);
    const lac = Buffer.from(frame.body);
    lac.write('fffffffffffffffe', 16, 'hex');
    expect(() => decodeAddEntry(withBody(frame, lac))).toThrow(MalformedFrameError);
  });

  it('rejects an unknown status code', () => {
    const { frame } = wire(encodeAddEntryResponse(1, { status: 0, ledgerId: 1, entryId: 2 }));
    const body = Buffer.from(frame.body);
    body.writeUInt16BE(99, 0);
    expect(() => decodeAddEntryResponse(withBody(frame, body))).toThrow(/unknown status 99/);
  });

  it('READ_ENTRY: lastEntryId below firstEntryId is malformed', () => {
    const { frame } = wire(encodeReadEntry(1, { ledgerId: 1, firstEntryId: 5, lastEntryId: 5, maxBytes: 1 }));
    const body = Buffer.from(frame.body);
    body.write('0000000000000004', 16, 'hex');
    expect(() => decodeReadEntry(withBody(frame, body))).toThrow(/lastEntryId 4 < firstEntryId 5/);
  });

  it('READ_ENTRY_RESPONSE: non-consecutive entries, entries with an error status, huge counts and bad checksums are refused', () => {
    const e = (entryId: number) => ({ entryId, crc: entryChecksum(p), payload: p });
    const { frame } = wire(encodeReadEntryResponse(1, { status: 0, ledgerId: 1, lac: 3, entries: [e(1), e(2)] }));
    const gap = Buffer.from(frame.body);
    gap.write('0000000000000005', 22 + 19, 'hex');
    expect(() => decodeReadEntryResponse(withBody(frame, gap))).toThrow(/entry 5 does not follow 1/);
    const notOk = Buffer.from(frame.body);
    notOk.writeUInt16BE(BookieStatus.NO_SUCH_ENTRY, 0);
    expect(() => decodeReadEntryResponse(withBody(frame, notOk))).toThrow(MalformedFrameError);
    const huge = Buffer.from(frame.body);
    huge.writeUInt32BE(0xffffffff, 18);
    expect(() => decodeReadEntryResponse(withBody(frame, huge))).toThrow(/cannot fit/);
    const corrupt = Buffer.from(frame.body);
    corrupt[corrupt.length - 1] ^= 0x20;
    expect(() => decodeReadEntryResponse(withBody(frame, corrupt))).toThrow(ChecksumMismatchError);
    expect(() => encodeReadEntryResponse(1, { status: 0, ledgerId: 1, lac: 3, entries: [e(1), e(3)] })).toThrow(RangeError);
    expect(() => encodeReadEntryResponse(1, { status: 0, ledgerId: 1, lac: 3, entries: [] })).toThrow(RangeError);
  });

  it('READ_LAC: a previousLac without a long-poll timeout is malformed', () => {
    const { frame } = wire(encodeReadLac(1, { ledgerId: 1 }));
    const body = Buffer.from(frame.body);
    body.write('0000000000000003', 8, 'hex');
    expect(() => decodeReadLac(withBody(frame, body))).toThrow(MalformedFrameError);
    expect(() => encodeReadLac(1, { ledgerId: 1, longPoll: { previousLac: 1, timeoutMs: 0 } })).toThrow(RangeError);
  });

  it('INFO_RESPONSE: invalid UTF-8 is malformed', () => {
    const { frame } = wire(encodeInfoResponse(1, { status: 0, freeDiskBytes: 0, bookieId: 'ab', instanceId: '', version: '' }));
    const body = Buffer.from(frame.body);
    body[12] = 0xff;
    expect(() => decodeInfoResponse(withBody(frame, body))).toThrow(/bookieId is not valid UTF-8/);
  });

  it('encoders refuse values the wire cannot carry', () => {
    expect(() => encodeAddEntry(1, { ledgerId: MAX_SAFE + 1, entryId: 0, lac: -1, payload: p })).toThrow(RangeError);
    expect(() => encodeAddEntry(1, { ledgerId: 1, entryId: -1, lac: -1, payload: p })).toThrow(RangeError);
    expect(() => encodeAddEntry(1, { ledgerId: 1, entryId: 1, lac: -2, payload: p })).toThrow(RangeError);
    expect(() => encodeAddEntry(1, { ledgerId: 1.5, entryId: 1, lac: -1, payload: p })).toThrow(RangeError);
    expect(() => encodeInfoResponse(1, { status: 0, freeDiskBytes: 0, bookieId: 'x'.repeat(70_000), instanceId: '', version: '' })).toThrow(RangeError);
  });

  it('decoders throw only ProtocolErrors on random bodies', () => {
    const cases = samples.map(([, parts, decode]) => ({ frame: wire(parts).frame, decode }));
    cases.push({ frame: wire(encodeAddEntry(1, { ledgerId: 1, entryId: 1, lac: 0, payload: p })).frame, decode: decodeAddEntry });
    const rng = prng(7);
    let thrown = 0;
    for (let i = 0; i < 2000; i++) {
      const body = rng.bytes(rng.int(0, 60));
      for (const { frame, decode } of cases) {
        try {
          decode(withBody(frame, body));
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
          thrown++;
        }
      }
    }
    expect(thrown).toBeGreaterThan(2000);
  });
});

