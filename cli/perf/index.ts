// The load generators behind `strata perf`, for the command and for bench/client-bench.ts.
export { perfCommand } from './perf-command.js';
export { runProduceLoad, type ProduceLoadOptions, type ProduceLoadResult, type ProduceState } from './produce-load.js';
export { runConsumeLoad, type ConsumeLoadOptions, type ConsumeLoadResult } from './consume-load.js';
export { LatencyRecorder, type LatencyBucket, type LatencySummary } from './latency-recorder.js';
export { LoadMeter, type IntervalReport } from './load-meter.js';
export { SendSchedule } from './send-schedule.js';
export { histogramText, progressLine, summaryJson, summaryTable } from './perf-report.js';
