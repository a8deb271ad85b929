// The load manager: load reports, the elected leader, placement of unowned partitions and load shedding.
export { LoadManager, type LoadManagerDeps, type LoadView } from './load-manager.js';
export { LeaderElection, type LeaderValue } from './leader-election.js';
export { LoadReporter, readLoadReports, type LoadCounters, type LoadReport } from './load-report.js';
export { choosePlacement, planShedding, relativeLoads, DEFAULT_LOAD_PLAN_OPTIONS, type Candidate, type LoadPlanOptions, type PlannedMove, type SheddingState } from './load-plan.js';
