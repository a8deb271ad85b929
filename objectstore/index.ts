// Object stores (S3, local directory) and the offloader that tiers closed ledgers to them.
// Nothing is exported yet; tiering lands with its own issue.
export {};
