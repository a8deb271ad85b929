// Internals of the ledger storage for its own tests (fault injection, unit tests); not part of the surface.
export { EntryLocations, MAX_ENTRY_ID_SPAN } from './entry-locations.js';
export { EntryLogSet } from './entry-log-set.js';
export { IndexLog, INDEX_LOG_NAME } from './index-log.js';
