// The bookie's Prometheus metrics, in a registry of its own (several bookies may share a process in tests).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class BookieMetrics {
  readonly registry = new Registry();
  readonly addsTotal = new Counter({ name: 'strata_bookie_adds_total', help: 'entries added (acknowledged after the journal sync)', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly addBytesTotal = new Counter({ name: 'strata_bookie_add_bytes_total', help: 'payload bytes of acknowledged adds', registers: [this.registry] });
  readonly addErrorsTotal = new Counter({ name: 'strata_bookie_add_errors_total', help: 'adds answered with an error', labelNames: ['status'] as const, registers: [this.registry] });
  readonly addSeconds = new Histogram({
    name: 'strata_bookie_add_seconds',
    help: 'time from receiving an add to answering it OK (journal wait and sync included)',
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly journalSyncSeconds = new Histogram({
    name: 'strata_bookie_journal_sync_seconds',
    help: 'duration of one journal fdatasync (the next batch is written meanwhile)',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly journalBatchRecords = new Histogram({
    name: 'strata_bookie_journal_batch_records',
    help: 'records made durable by one journal sync (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096],
    registers: [this.registry],
  });
  readonly journalBatchBytes = new Histogram({
    name: 'strata_bookie_journal_batch_bytes',
    help: 'bytes made durable by one journal sync',
    buckets: [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216],
    registers: [this.registry],
  });
  readonly readSeconds = new Histogram({
    name: 'strata_bookie_read_seconds',
    help: 'duration of a read request',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly readsTotal = new Counter({ name: 'strata_bookie_reads_total', help: 'read requests by status', labelNames: ['status'] as const, registers: [this.registry] });
  readonly fencedLedgersTotal = new Counter({ name: 'strata_bookie_fenced_ledgers_total', help: 'fence requests that fenced a ledger', registers: [this.registry] });
  readonly connections = new Gauge({ name: 'strata_bookie_connections', help: 'open client connections', registers: [this.registry] });
  readonly protocolErrorsTotal = new Counter({ name: 'strata_bookie_protocol_errors_total', help: 'connections closed for a malformed frame', registers: [this.registry] });

  constructor({ processMetrics = false }: { processMetrics?: boolean } = {}) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'strata_bookie_' });
  }
}
