// Prometheus metrics of auto-recovery, in a registry the caller passes (the broker's). Counters count
// the work this process did; the gauge is the last round's finding of this process (0 when it does
// not hold the lock).
import { Counter, Gauge, type Registry } from 'prom-client';

export class AutoRecoveryMetrics {
  readonly underReplicatedLedgers: Gauge;
  readonly replicatedFragments: Counter;
  readonly copiedEntries: Counter;
  readonly failures: Counter<'code'>;
  readonly rounds: Counter;
  readonly runner: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.underReplicatedLedgers = new Gauge({ name: 'strata_auto_recovery_under_replicated_ledgers', help: 'closed ledgers with a fragment naming a bookie gone past the grace period (last round)', registers });
    this.replicatedFragments = new Counter({ name: 'strata_auto_recovery_replicated_fragments_total', help: 'fragments whose gone bookies were replaced after their entries were copied', registers });
    this.copiedEntries = new Counter({ name: 'strata_auto_recovery_copied_entries_total', help: 'entry copies written to replacement bookies', registers });
    this.failures = new Counter({ name: 'strata_auto_recovery_failures_total', help: 'fragments that could not be re-replicated in a round, by error code (retried next round)', labelNames: ['code'] as const, registers });
    this.rounds = new Counter({ name: 'strata_auto_recovery_rounds_total', help: 'auto-recovery rounds run by this process while it held the lock', registers });
    this.runner = new Gauge({ name: 'strata_auto_recovery_runner', help: '1 while this process holds the auto-recovery lock', registers });
  }
}
