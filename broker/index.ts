// The stateless broker: ownership, managed ledgers, subscriptions, HTTP and binary protocol servers.
// Nothing is exported yet; the broker lands with its own issue.
export {};
