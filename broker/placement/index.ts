// Placement of partitions on brokers: assignments and draining markers, the claim rule, rebalance and
// drain plans, and the mover that carries them out (the first step of the load manager).
export { PlacementStore, type LiveBroker } from './placement-store.js';
export { decideClaim, type ClaimDecision } from './claim-rule.js';
export { planRebalance, planDrain, type Move, type OwnedPartition } from './rebalance-plan.js';
export { PartitionMover, type MoveCalls } from './partition-mover.js';
export { PlacementCoordinator } from './placement-coordinator.js';
export { moveCalls, type LocalMoves } from './move-calls.js';
