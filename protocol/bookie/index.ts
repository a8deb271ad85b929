// The broker↔bookie command codec: status table, entry checksum, and one encoder/decoder pair per command.
export {
  BookieStatus,
  BOOKIE_STATUSES,
  bookieStatusInfo,
  isBookieStatus,
  type BookieStatusCode,
  type BookieStatusName,
  type BookieStatusInfo,
} from './bookie-status.js';
export { entryChecksum, verifyEntryChecksum } from './entry-checksum.js';
export {
  AddEntryFlag,
  encodeAddEntry,
  decodeAddEntry,
  encodeAddEntryResponse,
  decodeAddEntryResponse,
  type AddEntry,
  type AddEntryInput,
  type AddEntryResponse,
} from './add-entry.js';
export {
  READ_ENTRY_OVERHEAD,
  encodeReadEntry,
  decodeReadEntry,
  encodeReadEntryResponse,
  decodeReadEntryResponse,
  type ReadEntryRequest,
  type ReadEntryResponse,
  type LedgerEntry,
} from './read-entry.js';
export {
  encodeReadLac,
  decodeReadLac,
  encodeReadLacResponse,
  decodeReadLacResponse,
  type ReadLacRequest,
  type ReadLacResponse,
} from './read-lac.js';
export {
  encodeFence,
  decodeFence,
  encodeFenceResponse,
  decodeFenceResponse,
  type FenceRequest,
  type FenceResponse,
} from './fence.js';
export {
  encodeDeleteLedger,
  decodeDeleteLedger,
  encodeDeleteLedgerResponse,
  decodeDeleteLedgerResponse,
  type DeleteLedgerRequest,
  type DeleteLedgerResponse,
} from './delete-ledger.js';
export { encodeInfo, decodeInfo, encodeInfoResponse, decodeInfoResponse, type InfoResponse } from './info.js';
export type { LacResponse } from './lac-response.js';
