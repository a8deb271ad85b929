// The serialized ack state: golden bytes, refusal of every malformed or non-canonical input with a typed error,
// and one encoding per state (whatever decodes re-encodes to the same bytes).
import { describe, it, expect } from 'vitest';
import { ByteWriter } from '../../../../broker/codec/byte-writer.js';
import { AckSet } from '../../../../broker/subscriptions/ack-set.js';
import { decodeAckState, encodeAckState } from '../../../../broker/subscriptions/ack-set-codec.js';
import { MalformedAckStateError } from '../../../../broker/subscriptions/errors.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';
import { TestLog } from './test-log.js';

const HEAD = '5341434b' + '0001' + '0000'; // 'SACK', version 1, flags 0
const GOLDEN =
  HEAD +
  'ac02' + '03' + '02' + // mark-delete (300, 2): ledger 300 as a two-byte varint, entry + 1; two ledgers follow
  '00' + '01' + '0102' + // ledger 300 (delta 0): one range, gap 1 after entry 2 → [4, 4 + 2]
  '01' + '05' + '03' + '02' + // one partial entry: gap 5 after entry 2 → 8, batch of 3, bitset 0b010 (index 1)
  '03' + '01' + '0000' + '00'; // ledger 304 (300 + 1 + 3): one range [0, 0]; no partial entries

function goldenSet(): { set: AckSet; log: TestLog } {
  const log = new TestLog().add(300, [1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1], true).add(304, [1]);
  const set = new AckSet(log.order, { ledgerId: 300, entryId: 2 });
  for (const entryId of [5, 4, 6]) set.ack({ ledgerId: 300, entryId, batchIndex: 0 }, 1);
  set.ack({ ledgerId: 300, entryId: 8, batchIndex: 1 }, 3);
  set.ack({ ledgerId: 304, entryId: 0, batchIndex: 0 }, 1);
  return { set, log };
}

const decode = (hex: string): unknown => decodeAckState(Buffer.from(hex, 'hex'));

describe('ack state golden bytes', () => {
  it('encodes ranges as gaps and spans, partial entries as bitsets', () => {
    const { set, log } = goldenSet();
    expect(set.serialize().toString('hex')).toBe(GOLDEN);
    expect(set.serializedSize()).toBe(GOLDEN.length / 2);
    const copy = AckSet.deserialize(log.order, Buffer.from(GOLDEN, 'hex'));
    expect(copy.markDelete).toEqual({ ledgerId: 300, entryId: 2 });
    expect([3, 4, 6, 7].map((entryId) => copy.isAcked({ ledgerId: 300, entryId, batchIndex: 0 }))).toEqual([false, true, true, false]);
    expect([0, 1, 2].map((batchIndex) => copy.isAcked({ ledgerId: 300, entryId: 8, batchIndex }))).toEqual([false, true, false]);
    expect(copy.isAcked({ ledgerId: 304, entryId: 0, batchIndex: 0 })).toBe(true);
  });

  it('an empty state is the header, the mark-delete position and no ledgers', () => {
    const log = new TestLog().add(1, []);
    expect(new AckSet(log.order, { ledgerId: 1, entryId: -1 }).serialize().toString('hex')).toBe(HEAD + '01' + '00' + '00');
  });

  it('deserializing advances over ledgers that closed since the state was written', () => {
    const log = new TestLog().add(1, [1, 1]);
    const set = new AckSet(log.order, { ledgerId: 1, entryId: -1 });
    set.ack({ ledgerId: 1, entryId: 0, batchIndex: 0 }, 1);
    set.ack({ ledgerId: 1, entryId: 1, batchIndex: 0 }, 1);
    const bytes = set.serialize();
    log.roll(5, [1]);
    expect(AckSet.deserialize(log.order, bytes).markDelete).toEqual({ ledgerId: 5, entryId: -1 });
  });
});

describe('ack state refusals', () => {
  it('every truncation, a trailing byte, another magic, version or flag', () => {
    for (let n = 0; n < GOLDEN.length / 2; n++) expect(() => decode(GOLDEN.slice(0, 2 * n)), `prefix ${n}`).toThrow(MalformedAckStateError);
    expect(() => decode(GOLDEN + '00')).toThrow(/trailing/);
    expect(() => decode('5341434c00010000' + '010000')).toThrow(/not an ack state/);
    expect(() => decode('5341434b00020000' + '010000')).toThrow(/version 2/);
    expect(() => decode('5341434b00010001' + '010000')).toThrow(/flags/);
  });

  it('non-canonical or contradictory contents', () => {
    const md = '01' + '00' + '01' + '00'; // mark-delete (1, −1), one ledger: ledger 1
    const cases: [string, string, RegExp][] = [
      ['a range touching the mark-delete position', md + '01' + '0000' + '00', /touches/],
      ['adjacent ranges', md + '02' + '0100' + '0000' + '00', /touches/],
      ['a partial entry inside a range', md + '01' + '0102' + '01' + '02' + '02' + '01', /both fully and partially/],
      ['a full bitset', md + '00' + '01' + '00' + '02' + '03', /2 of 2 acked/],
      ['an empty bitset', md + '00' + '01' + '00' + '02' + '00', /0 of 2 acked/],
      ['bitset padding bits', md + '00' + '01' + '00' + '02' + '05', /padding/],
      ['a batch of one', md + '00' + '01' + '00' + '01' + '01', /batch size 1/],
      ['a batch above the maximum', md + '00' + '01' + '00' + '818004' + '01', /batch size 65537/],
      ['a ledger without acks', md + '00' + '00', /lists no acks/],
      ['a varint not in its shortest form', '8100' + '00' + '00', /shortest form/],
      ['a varint longer than 8 bytes', 'ffffffffffffffff7f' + '00' + '00', /longer than 8 bytes|exceeds/],
      ['a varint above 2^53−1', 'ffffffffffffff7f' + '00' + '00', /exceeds/],
      ['a ledger id above 2^53−1', 'ffffffffffffff0f' + '00' + '01' + '01' + '00' + '01' + '0000' + '00', /ledger id exceeds/],
    ];
    for (const [what, body, message] of cases) {
      expect(() => decode(HEAD + body), what).toThrow(MalformedAckStateError);
      expect(() => decode(HEAD + body), what).toThrow(message);
    }
  });

  it('random corruption either fails with the typed error or decodes to a state with exactly these bytes', () => {
    let decoded = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new SeededRandom(seed);
      const log = new TestLog().add(3, Array.from({ length: 12 }, () => 1 + rng.int(4)));
      const set = new AckSet(log.order, { ledgerId: 3, entryId: -1 });
      for (const m of log.messages()) if (rng.int(2) === 0) set.ack(m, log.batchSize(m));
      const bytes = set.serialize();
      for (let flips = 1 + rng.int(3); flips > 0; flips--) bytes[rng.int(bytes.length)] = rng.int(256);
      try {
        const state = decodeAckState(bytes);
        const w = new ByteWriter();
        encodeAckState(state, w);
        expect(w.finish().toString('hex'), `seed ${seed}`).toBe(bytes.toString('hex'));
        decoded++;
      } catch (err) {
        expect(err, `seed ${seed}`).toBeInstanceOf(MalformedAckStateError);
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
