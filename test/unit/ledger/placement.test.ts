// Placement rules of ledger metadata: write sets, fragments, ensemble coverage, the writer's states.
import { describe, expect, it } from 'vitest';
import { checkQuorums, fragmentOf, hasEnsembleCoverage, nextWriterState, writeSetPositions, type LedgerMetadata } from '../../../ledger/index.js';

describe('ledger placement', () => {
  it('puts entry e on positions e mod E … e+Qw-1 mod E', () => {
    expect(writeSetPositions(0, 3, 2)).toEqual([0, 1]);
    expect(writeSetPositions(2, 3, 2)).toEqual([2, 0]);
    expect(writeSetPositions(7, 2, 2)).toEqual([1, 0]);
    expect(writeSetPositions(4, 5, 3)).toEqual([4, 0, 1]);
  });

  it('finds the fragment of an entry: the last one starting at or before it', () => {
    const m = {
      fragments: [
        { firstEntryId: 0, ensemble: ['a', 'b'] },
        { firstEntryId: 10, ensemble: ['a', 'c'] },
        { firstEntryId: 25, ensemble: ['d', 'c'] },
      ],
    } as LedgerMetadata;
    expect(fragmentOf(m, 0).ensemble).toEqual(['a', 'b']);
    expect(fragmentOf(m, 9).ensemble).toEqual(['a', 'b']);
    expect(fragmentOf(m, 10).ensemble).toEqual(['a', 'c']);
    expect(fragmentOf(m, 24).ensemble).toEqual(['a', 'c']);
    expect(fragmentOf(m, 1000).ensemble).toEqual(['d', 'c']);
  });

  it('requires (Qw − Qa) + 1 fenced bookies in every write set', () => {
    // E3 Qw2 Qa2: one fenced bookie per write set {0,1} {1,2} {2,0}.
    expect(hasEnsembleCoverage(new Set([0]), 3, 2, 2)).toBe(false);
    expect(hasEnsembleCoverage(new Set([0, 1]), 3, 2, 2)).toBe(true);
    expect(hasEnsembleCoverage(new Set([1]), 3, 2, 2)).toBe(false);
    // E2 Qw2 Qa2: one of the two suffices.
    expect(hasEnsembleCoverage(new Set([1]), 2, 2, 2)).toBe(true);
    // E3 Qw3 Qa2: two of three.
    expect(hasEnsembleCoverage(new Set([2]), 3, 3, 2)).toBe(false);
    expect(hasEnsembleCoverage(new Set([0, 2]), 3, 3, 2)).toBe(true);
    // E1 Qw1 Qa1: the one bookie.
    expect(hasEnsembleCoverage(new Set([0]), 1, 1, 1)).toBe(true);
    expect(hasEnsembleCoverage(new Set(), 1, 1, 1)).toBe(false);
  });

  it('refuses impossible quorums', () => {
    expect(() => checkQuorums({ ensembleSize: 2, writeQuorum: 3, ackQuorum: 2 })).toThrow(/ensemble ≥ write ≥ ack/);
    expect(() => checkQuorums({ ensembleSize: 3, writeQuorum: 2, ackQuorum: 3 })).toThrow();
    expect(() => checkQuorums({ ensembleSize: 0, writeQuorum: 0, ackQuorum: 0 })).toThrow();
    expect(() => checkQuorums({ ensembleSize: 3, writeQuorum: 2, ackQuorum: 2 })).not.toThrow();
  });

  it('moves the writer open → closing → closed, or to failed; closed and failed are final', () => {
    expect(nextWriterState('open', 'close')).toBe('closing');
    expect(nextWriterState('closing', 'closed')).toBe('closed');
    expect(nextWriterState('open', 'fail')).toBe('failed');
    expect(nextWriterState('closing', 'fail')).toBe('failed');
    expect(nextWriterState('closed', 'fail')).toBe('closed');
    expect(nextWriterState('failed', 'closed')).toBe('failed');
    expect(nextWriterState('open', 'closed')).toBe('closed');
  });
});
