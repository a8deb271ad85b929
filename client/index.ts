// The TypeScript client library for the binary protocol.
// Nothing is exported yet; the client lands with its own issue.
export {};
