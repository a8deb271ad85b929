// A position in the journal: the file id and the byte offset just past a record. Positions order
// the journal (file id first, then offset) and are what a checkpoint records.

export interface JournalPosition {
  /** Id of the journal file (its header and its name carry it). */
  readonly fileId: number;
  /** Byte offset in that file just past the record (the end offset, never the start). */
  readonly offset: number;
}

/** Negative when `a` is before `b`, 0 when equal, positive when after. */
export function compareJournalPositions(a: JournalPosition, b: JournalPosition): number {
  return a.fileId !== b.fileId ? a.fileId - b.fileId : a.offset - b.offset;
}

export function formatJournalPosition(p: JournalPosition): string {
  return `${p.fileId}:${p.offset}`;
}
