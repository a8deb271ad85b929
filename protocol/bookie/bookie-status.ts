// The status codes a bookie answers with (a u16be in every bookie response): one table of wire code, name,
// whether the same request may succeed later, and what the status promises. Decoders reject codes not listed here.

export interface BookieStatusInfo {
  readonly code: number;
  readonly name: BookieStatusName;
  readonly retriable: boolean;
  readonly meaning: string;
}

export const BookieStatus = {
  OK: 0,
  NO_SUCH_LEDGER: 1,
  NO_SUCH_ENTRY: 2,
  FENCED: 3,
  BAD_REQUEST: 4,
  UNKNOWN: 5,
  NOT_WRITABLE: 6,
  OVERLOADED: 7,
  ENTRY_EXISTS_DIFFERENT: 8,
  INTERNAL: 9,
} as const;

export type BookieStatusName = keyof typeof BookieStatus;
export type BookieStatusCode = (typeof BookieStatus)[BookieStatusName];

export const BOOKIE_STATUSES: readonly BookieStatusInfo[] = [
  { code: BookieStatus.OK, name: 'OK', retriable: false, meaning: 'done; for an add, journaled and synced' },
  { code: BookieStatus.NO_SUCH_LEDGER, name: 'NO_SUCH_LEDGER', retriable: false, meaning: 'this bookie vouches it holds nothing of the ledger' },
  { code: BookieStatus.NO_SUCH_ENTRY, name: 'NO_SUCH_ENTRY', retriable: false, meaning: 'this bookie vouches it does not hold the entry (evidence of absence for recovery)' },
  { code: BookieStatus.FENCED, name: 'FENCED', retriable: false, meaning: 'the ledger is fenced: normal adds are refused, recovery adds are not' },
  { code: BookieStatus.BAD_REQUEST, name: 'BAD_REQUEST', retriable: false, meaning: 'the request is invalid (e.g. checksum mismatch); resending it unchanged fails again' },
  { code: BookieStatus.UNKNOWN, name: 'UNKNOWN', retriable: true, meaning: 'the bookie cannot vouch for its data (cookie missing or mismatched, under repair): never evidence of absence' },
  { code: BookieStatus.NOT_WRITABLE, name: 'NOT_WRITABLE', retriable: true, meaning: 'the bookie is read-only (disk full or draining): write elsewhere' },
  { code: BookieStatus.OVERLOADED, name: 'OVERLOADED', retriable: true, meaning: 'too much in flight: back off and retry' },
  { code: BookieStatus.ENTRY_EXISTS_DIFFERENT, name: 'ENTRY_EXISTS_DIFFERENT', retriable: false, meaning: 'the entry is already stored with different bytes; the stored bytes stand' },
  { code: BookieStatus.INTERNAL, name: 'INTERNAL', retriable: true, meaning: 'the bookie failed (I/O error); the request may or may not have taken effect' },
];

const byCode: readonly (BookieStatusInfo | undefined)[] = (() => {
  const table: (BookieStatusInfo | undefined)[] = [];
  for (const info of BOOKIE_STATUSES) table[info.code] = info;
  return table;
})();

/** The table row of a wire status code, or `undefined` if this version does not know it. */
export function bookieStatusInfo(code: number): BookieStatusInfo | undefined {
  return byCode[code];
}

export function isBookieStatus(code: number): code is BookieStatusCode {
  return byCode[code] !== undefined;
}
