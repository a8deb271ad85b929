// The auto-recovery scanner's decision on in-memory metadata: which fragments need new copies, and
// when (a bookie counts as gone only after staying unregistered for the grace period).
import { describe, expect, it } from 'vitest';
import { UnderReplicationScanner, type LedgerMetadata, type LedgerOffload } from '../../../ledger/index.js';

function ledger(id: number, fragments: Array<[number, string[]]>, over: Partial<LedgerMetadata> = {}): LedgerMetadata {
  return {
    id,
    ensembleSize: fragments[0]![1].length,
    writeQuorum: 2,
    ackQuorum: 2,
    state: 'CLOSED',
    lastEntryId: 99,
    fragments: fragments.map(([firstEntryId, ensemble]) => ({ firstEntryId, ensemble })),
    createdAt: 0,
    properties: {},
    ...over,
  };
}

const offload = { objectKey: 'k', size: 1, checksum: 'crc32c:0', formatVersion: 1, indexOffset: 0, blockSize: 1, payloadBytes: 1, offloadedAt: 0, offloadedBy: 'x' } satisfies LedgerOffload;
const live = (...ids: string[]) => new Set(ids);

describe('UnderReplicationScanner', () => {
  it('reports nothing while every bookie of every fragment is registered', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 1000 });
    const result = scanner.scan([ledger(1, [[0, ['a', 'b']]])], live('a', 'b', 'c'), 0);
    expect(result).toEqual({ underReplicatedLedgers: 0, fragments: [], missingWithinGrace: [] });
  });

  it('waits for the grace period after a bookie is first seen unregistered, then reports its fragments', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 1000 });
    const ledgers = [ledger(1, [[0, ['a', 'b']]])];
    const first = scanner.scan(ledgers, live('a', 'c'), 10_000);
    expect(first.fragments).toEqual([]);
    expect(first.missingWithinGrace).toEqual(['b']);
    expect(scanner.scan(ledgers, live('a', 'c'), 10_999).fragments).toEqual([]);
    const due = scanner.scan(ledgers, live('a', 'c'), 11_000);
    expect(due.missingWithinGrace).toEqual([]);
    expect(due.underReplicatedLedgers).toBe(1);
    expect(due.fragments).toEqual([{ ledgerId: 1, fragmentIndex: 0, ensemble: ['a', 'b'], firstEntryId: 0, lastEntryId: 99, missingPositions: [1] }]);
  });

  it('acts at once with a zero grace period', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 0 });
    expect(scanner.scan([ledger(1, [[0, ['a', 'b']]])], live('a'), 5).fragments).toHaveLength(1);
  });

  it('restarts the grace period when a bookie comes back and goes again', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 1000 });
    const ledgers = [ledger(1, [[0, ['a', 'b']]])];
    scanner.scan(ledgers, live('a'), 0);
    scanner.scan(ledgers, live('a', 'b'), 900); // back before the grace ran out
    expect(scanner.missing().size).toBe(0);
    expect(scanner.scan(ledgers, live('a'), 1500).fragments).toEqual([]);
    expect(scanner.scan(ledgers, live('a'), 2400).fragments).toEqual([]);
    expect(scanner.scan(ledgers, live('a'), 2500).fragments).toHaveLength(1);
  });

  it('leaves open and recovering ledgers to their writer and recoverer, and skips offloaded ledgers', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 0 });
    const ledgers = [
      ledger(1, [[0, ['a', 'b']]], { state: 'OPEN', lastEntryId: -1 }),
      ledger(2, [[0, ['a', 'b']]], { state: 'IN_RECOVERY', lastEntryId: -1 }),
      ledger(3, [[0, ['a', 'b']]], { offload }),
      ledger(4, [[0, ['a', 'b']]]),
    ];
    const result = scanner.scan(ledgers, live('a', 'c'), 0);
    expect(result.fragments.map((f) => f.ledgerId)).toEqual([4]);
    expect(result.underReplicatedLedgers).toBe(1);
  });

  it('reports only the fragments naming a gone bookie, each with its own entry range and positions', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 0 });
    const m = ledger(7, [[0, ['a', 'b', 'c']], [40, ['a', 'd', 'c']], [70, ['e', 'd', 'b']]], { lastEntryId: 89, ensembleSize: 3 });
    const result = scanner.scan([m], live('a', 'c', 'd'), 0);
    expect(result.underReplicatedLedgers).toBe(1);
    expect(result.fragments.map(({ fragmentIndex, firstEntryId, lastEntryId, missingPositions }) => ({ fragmentIndex, firstEntryId, lastEntryId, missingPositions }))).toEqual([
      { fragmentIndex: 0, firstEntryId: 0, lastEntryId: 39, missingPositions: [1] },
      { fragmentIndex: 2, firstEntryId: 70, lastEntryId: 89, missingPositions: [0, 2] },
    ]);
  });

  it('reports a fragment that holds no entry (its ensemble still names the gone bookie)', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 0 });
    const empty = ledger(1, [[0, ['a', 'b']]], { lastEntryId: -1 });
    const tail = ledger(2, [[0, ['a', 'c']], [50, ['a', 'b']]], { lastEntryId: 49 });
    const result = scanner.scan([empty, tail], live('a', 'c'), 0);
    expect(result.fragments.map((f) => [f.ledgerId, f.firstEntryId, f.lastEntryId])).toEqual([[1, 0, -1], [2, 50, 49]]);
    expect(result.underReplicatedLedgers).toBe(2);
  });

  it('counts ledgers, not fragments', () => {
    const scanner = new UnderReplicationScanner({ graceMs: 0 });
    const result = scanner.scan([ledger(1, [[0, ['a', 'b']], [10, ['b', 'c']]]), ledger(2, [[0, ['b', 'c']]])], live('a', 'c'), 0);
    expect(result.fragments).toHaveLength(3);
    expect(result.underReplicatedLedgers).toBe(2);
  });
});
