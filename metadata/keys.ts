// The key layout of the whole system, in one place. Every key lives under the store's namespace
// (default `/strata`); values are JSON unless noted. "session" marks keys bound to a lease.
//
// | key                                                  | value                                   | written by            |
// |------------------------------------------------------|-----------------------------------------|-----------------------|
// | /brokers/{brokerId}                      (session)   | {httpUrl, binaryUrl, startedAt}         | each broker           |
// | /bookies/{bookieId}                      (session)   | {address, metricsUrl, instanceId}       | each bookie           |
// | /cookies/{bookieId}                                  | {bookieId, instanceId, createdAt}       | bookie at first start |
// | /counters/ledger-id                                  | decimal counter (increment)             | ledger client         |
// | /ledgers/{ledgerId}                                  | ledger metadata: state, quorums, frags  | ledger client (CAS)   |
// | /intents/ledgers/{ledgerId}                          | {owner, createdAt}                      | ledger client         |
// | /intents/objects/{objectKey}                         | {owner, ledgerId, createdAt}            | offloader             |
// | /topics/{tenant}/{ns}/{topic}                        | {partitions, createdAt}                 | admin                 |
// | /partitions/{tenant}/{ns}/{topic}/{p}                | managed ledger: ledger list             | owner (owner epoch)   |
// | /cursors/{tenant}/{ns}/{topic}/{p}/{subscription}    | cursor: mark-delete, acked ranges       | owner (owner epoch)   |
// | /dedup/{tenant}/{ns}/{topic}/{p}                     | dedup snapshot: producer → sequence id  | owner (owner epoch)   |
// | /ownership/{tenant}/{ns}/{topic}/{p}     (session)   | {brokerId}; createRevision = owner epoch| owning broker         |
// | /assignments/{tenant}/{ns}/{topic}/{p}               | {brokerId}: who claims it when unowned  | rebalance, drain      |
// | /draining/{brokerId}                                 | {since}: it takes no partitions         | drain                 |
// | /load/{brokerId}                         (session)   | load report                             | each broker           |
// | /leader/load-manager                     (session)   | {brokerId}                              | elected leader        |
// | /auto-recovery/lock                      (session)   | {runner, session}: the one runner       | auto-recovery         |
// | /auto-recovery/status                                | totals and the last round's result      | auto-recovery runner  |
//
// An assignment only matters while its partition is unowned: the assignee (if live and not draining)
// claims it, other brokers send clients there. A draining marker lasts until that broker starts again.

export type LedgerId = number;

/** A partition of a topic: `tenant/ns/topic` and its index. */
export interface PartitionRef {
  topic: string;
  partition: number;
}

export const keys = {
  brokers: '/brokers/',
  broker: (id: string) => `/brokers/${id}`,
  bookies: '/bookies/',
  bookie: (id: string) => `/bookies/${id}`,
  cookie: (bookieId: string) => `/cookies/${bookieId}`,
  ledgerIdCounter: '/counters/ledger-id',
  ledgers: '/ledgers/',
  ledger: (id: LedgerId) => `/ledgers/${id}`,
  ledgerIntents: '/intents/ledgers/',
  ledgerIntent: (id: LedgerId) => `/intents/ledgers/${id}`,
  objectIntents: '/intents/objects/',
  objectIntent: (objectKey: string) => `/intents/objects/${objectKey}`,
  topics: (tenant: string, ns: string) => `/topics/${tenant}/${ns}/`,
  topic: (name: string) => `/topics/${name}`,
  partition: (p: PartitionRef) => `/partitions/${p.topic}/${p.partition}`,
  cursors: (p: PartitionRef) => `/cursors/${p.topic}/${p.partition}/`,
  cursor: (p: PartitionRef, subscription: string) => `/cursors/${p.topic}/${p.partition}/${subscription}`,
  dedup: (p: PartitionRef) => `/dedup/${p.topic}/${p.partition}`,
  ownerships: '/ownership/',
  ownership: (p: PartitionRef) => `/ownership/${p.topic}/${p.partition}`,
  assignments: '/assignments/',
  assignment: (p: PartitionRef) => `/assignments/${p.topic}/${p.partition}`,
  drainingBrokers: '/draining/',
  draining: (brokerId: string) => `/draining/${brokerId}`,
  loadReports: '/load/',
  load: (brokerId: string) => `/load/${brokerId}`,
  loadManagerLeader: '/leader/load-manager',
  autoRecoveryLock: '/auto-recovery/lock',
  autoRecoveryStatus: '/auto-recovery/status',
} as const;

/** Encodes a JSON value for the store. */
export function jsonValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Decodes a JSON value read from the store. */
export function parseJson<T>(value: Buffer): T {
  return JSON.parse(value.toString('utf8')) as T;
}
