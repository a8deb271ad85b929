// The ledger client: quorum writes, fencing and recovery, ensemble changes, reads.
// Nothing is exported yet; the client lands with its own issue.
export {};
