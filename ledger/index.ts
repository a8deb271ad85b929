// The ledger client: quorum writes, fencing and recovery, ensemble changes, reads.
// Today: the pipelined connection to one bookie; the quorum client lands with its own issue.
export { BookieClient, parseAddress, type BookieClientOptions } from './bookie-client/bookie-client.js';
