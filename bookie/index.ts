// The bookie: the durable, fenced storage server (journal, ledger storage, cookies, wire server).
export { Bookie, STRATA_VERSION, type BookieConfig } from './server/bookie.js';
export { BookieMetrics } from './server/bookie-metrics.js';
export { verifyCookie, repairCookie, CookieMismatchError, CookieFormatError, type Cookie } from './cookie/index.js';
export { JournalCorruptError, JournalFormatError } from './journal/index.js';
export { StorageFormatError, StorageCorruptError } from './storage/index.js';
export { removeGradually, type GradualRemoval } from './files/index.js';
