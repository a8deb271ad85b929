// The dedup snapshot format: golden bytes, round trip, and refusal of malformed or inconsistent snapshots.
import { describe, it, expect } from 'vitest';
import { decodeDedupSnapshot } from '../../../../broker/dedup/dedup-snapshot.js';
import { DedupState } from '../../../../broker/dedup/dedup-state.js';
import { MalformedDedupSnapshotError } from '../../../../broker/dedup/errors.js';

const HEAD = '53444450' + '0001'; // 'SDDP', version 1
const GOLDEN =
  HEAD + '0001' + '0000000000000007' + '0000000000000003' + '00000002' + // COVERED (7, 3); 2 producers
  '0001' + '61' + '000000000000000a' + '0000000000000007' + '0000000000000003' + '0002' + // "a": last 10 at (7, 3, 2)
  '0001' + '62' + '0000000000000005' + '0000000000000006' + '0000000000000000' + '0000'; // "b": last 5 at (6, 0, 0)

describe('dedup snapshot', () => {
  it('golden bytes: the covered position, then producers sorted by name', () => {
    const d = new DedupState();
    d.record('b', 5, { ledgerId: 6, entryId: 0, batchIndex: 0 });
    d.record('a', 10, { ledgerId: 7, entryId: 3, batchIndex: 2 });
    expect(d.snapshot().toString('hex')).toBe(GOLDEN);
    expect(new DedupState().snapshot().toString('hex')).toBe(HEAD + '0000' + '00000000');
  });

  it('round trips into a state that answers the same', () => {
    const d = DedupState.fromSnapshot(Buffer.from(GOLDEN, 'hex'));
    expect(d.covered).toEqual({ ledgerId: 7, entryId: 3 });
    expect(d.check('a', 8, 10)).toEqual({ status: 'duplicate', position: { ledgerId: 7, entryId: 3, batchIndex: 0 } });
    expect(d.check('b', 6)).toEqual({ status: 'new' });
    expect(d.snapshot().toString('hex')).toBe(GOLDEN);
  });

  it('refuses truncation, trailing bytes, other magic, versions and flags', () => {
    const decode = (hex: string): unknown => decodeDedupSnapshot(Buffer.from(hex, 'hex'));
    for (let n = 0; n < GOLDEN.length / 2; n++) expect(() => decode(GOLDEN.slice(0, 2 * n)), `prefix ${n}`).toThrow(MalformedDedupSnapshotError);
    expect(() => decode(GOLDEN + '00')).toThrow(/trailing/);
    expect(() => decode('53444451' + '0001' + '0000' + '00000000')).toThrow(/not a dedup snapshot/);
    expect(() => decode(HEAD.slice(0, 8) + '0002' + '0000' + '00000000')).toThrow(/version 2/);
    expect(() => decode(HEAD + '0002' + '00000000')).toThrow(/flags/);
  });

  it('refuses inconsistent contents', () => {
    const decode = (hex: string): unknown => decodeDedupSnapshot(Buffer.from(hex, 'hex'));
    const covered = HEAD + '0001' + '0000000000000007' + '0000000000000003';
    const producer = (nameHex: string, ledger = 7, entry = 3): string =>
      (nameHex.length / 2).toString(16).padStart(4, '0') + nameHex + '0000000000000001' + ledger.toString(16).padStart(16, '0') + entry.toString(16).padStart(16, '0') + '0000';
    const cases: [string, string, RegExp][] = [
      ['producers without a covered position', HEAD + '0000' + '00000001' + producer('61'), /no covered position/],
      ['an empty producer name', covered + '00000001' + producer(''), /producer name of 0 bytes/],
      ['a name of 257 bytes', covered + '00000001' + producer('61'.repeat(257)), /257 bytes/],
      ['names out of order', covered + '00000002' + producer('62') + producer('61'), /out of order/],
      ['a repeated name', covered + '00000002' + producer('61') + producer('61'), /repeated/],
      ['a position after the covered one', covered + '00000001' + producer('61', 7, 4), /after the covered one/],
      ['a name that is not UTF-8', covered + '00000001' + producer('c328'), /UTF-8/],
      ['a covered ledger above 2^53−1', HEAD + '0001' + '0020000000000000' + '0000000000000000' + '00000000', /exceeds/],
    ];
    for (const [what, hex, message] of cases) {
      expect(() => decode(hex), what).toThrow(MalformedDedupSnapshotError);
      expect(() => decode(hex), what).toThrow(message);
    }
  });
});
