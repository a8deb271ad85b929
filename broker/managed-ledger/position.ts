// A position in a partition's log: (ledger, entry). Ledger ids grow over time within a partition, so
// positions compare lexicographically in log order.

export interface Position {
  ledgerId: number;
  entryId: number;
}

export function comparePositions(a: Position, b: Position): number {
  return a.ledgerId !== b.ledgerId ? a.ledgerId - b.ledgerId : a.entryId - b.entryId;
}

export function formatPosition(p: Position): string {
  return `${p.ledgerId}:${p.entryId}`;
}
