// AckSet against a brute-force model, over seeded random logs (several ledgers, non-adjacent ids, empty ledgers,
// batch sizes 1–5, an open ledger that grows and rolls) and random mixes of individual and cumulative acks, seeks
// excluded. After every step: the mark-delete position is exactly the model's (so it never passes an unacked
// message and never lags), every message's acked state matches, the unacked hint matches, and serialize →
// deserialize reproduces the same state and bytes.
import { describe, it, expect } from 'vitest';
import { comparePositions } from '../../../../broker/managed-ledger/index.js';
import { AckSet } from '../../../../broker/subscriptions/ack-set.js';
import { compareMessagePositions, type MessagePosition } from '../../../../protocol/index.js';
import { SeededRandom } from '../../../helpers/seeded-random.js';
import { expectedState, key, TestLog } from './test-log.js';

const SEEDS = 150;
const STEPS = 120;

function randomLog(rng: SeededRandom): TestLog {
  const log = new TestLog();
  let id = 1 + rng.int(5);
  for (let n = 1 + rng.int(3); n > 0; n--) {
    log.add(id, Array.from({ length: rng.int(5) }, () => 1 + rng.int(5)), true);
    id += 1 + rng.int(4);
  }
  log.add(id, Array.from({ length: rng.int(4) }, () => 1 + rng.int(5)));
  return log;
}

function check(set: AckSet, log: TestLog, acked: Set<string>, where: string): void {
  const expected = expectedState(log, acked);
  const md = set.markDelete;
  if (comparePositions(md, expected.markDelete) !== 0) expect(md, `${where}: mark-delete`).toEqual(expected.markDelete);
  // Plain comparisons first (an expect per message would dominate the run time); expect only what differs.
  for (const m of log.messages()) {
    const k = key(m);
    if (set.isAcked(m) !== acked.has(k)) expect(set.isAcked(m), `${where}: ${k}`).toBe(acked.has(k));
    if (comparePositions(m, md) <= 0 && !acked.has(k)) expect.fail(`${where}: mark-delete ${md.ledgerId}:${md.entryId} passed ${k}`);
  }
  const hint = set.unackedCountHint;
  if (hint !== expected.unackedHint) expect(hint, `${where}: unacked hint`).toBe(expected.unackedHint);
  const bytes = set.serialize();
  if (set.serializedSize() !== bytes.length) expect(set.serializedSize(), `${where}: size`).toBe(bytes.length);
  const copy = AckSet.deserialize(log.order, bytes);
  if (!copy.serialize().equals(bytes)) expect(copy.serialize(), `${where}: round trip`).toEqual(bytes);
  if (comparePositions(copy.markDelete, md) !== 0 || copy.rangeCount !== set.rangeCount) expect.fail(`${where}: copy differs`);
}

describe('AckSet matches a brute-force model', () => {
  it(`random acks over random logs (${SEEDS} seeds × ${STEPS} steps)`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = new SeededRandom(seed);
      const log = randomLog(rng);
      let set = new AckSet(log.order, { ledgerId: log.ledgers[0].id, entryId: -1 });
      const acked = new Set<string>();
      for (let step = 0; step < STEPS; step++) {
        const where = `seed ${seed} step ${step}`;
        const messages = log.messages();
        const op = rng.int(100);
        if (op < 60 && messages.length > 0) {
          const m = rng.pick(messages);
          const changed = set.ack(m, log.batchSize(m));
          if (changed === acked.has(key(m))) expect(changed, `${where}: ack ${key(m)}`).toBe(!acked.has(key(m)));
          acked.add(key(m));
        } else if (op < 70 && messages.length > 0) {
          const m = rng.pick(messages);
          const covered = messages.filter((x) => compareMessagePositions(x, m) <= 0);
          const anyNew = covered.some((x) => !acked.has(key(x)));
          const changed = set.ackCumulative(m, log.batchSize(m));
          if (changed !== anyNew) expect(changed, `${where}: cumulative ${key(m)}`).toBe(anyNew);
          for (const x of covered) acked.add(key(x));
        } else if (op < 82) {
          log.append(1 + rng.int(5));
        } else if (op < 88) {
          const open = log.ledgers[log.ledgers.length - 1];
          log.roll(open.id + 1 + rng.int(3), Array.from({ length: rng.int(3) }, () => 1 + rng.int(5)));
          set.refresh();
        } else {
          set = AckSet.deserialize(log.order, set.serialize());
        }
        check(set, log, acked, where);
      }
      // Acking everything left, in random order, brings the mark-delete position to the end of the log.
      const rest = log.messages().filter((m) => !acked.has(key(m)));
      for (let i = rest.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [rest[i], rest[j]] = [rest[j], rest[i]];
      }
      for (const m of rest) {
        set.ack(m, log.batchSize(m));
        acked.add(key(m));
      }
      check(set, log, acked, `seed ${seed} end`);
      expect(set.rangeCount).toBe(0);
      expect(set.serializedSize()).toBeLessThanOrEqual(8 + 8 + 8 + 1);
    }
  });

  it('cumulative acks alone keep nothing beyond the mark-delete position but a partial batch', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = new SeededRandom(1000 + seed);
      const log = randomLog(rng);
      const set = new AckSet(log.order, { ledgerId: log.ledgers[0].id, entryId: -1 });
      let last: MessagePosition | undefined;
      for (const m of log.messages()) {
        if (rng.int(3) !== 0) continue;
        set.ackCumulative(m, log.batchSize(m));
        last = m;
        expect(set.rangeCount, `seed ${seed}`).toBeLessThanOrEqual(1);
      }
      if (last !== undefined) {
        for (const m of log.messages()) expect(set.isAcked(m), `seed ${seed} ${key(m)}`).toBe(compareMessagePositions(m, last) <= 0);
      }
    }
  });
});
