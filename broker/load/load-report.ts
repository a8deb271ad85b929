// Each broker's load report under /load/{brokerId}, bound to its session (gone with the broker): partitions
// served, message and byte rates over the last interval, and CPU (fraction of one core used by the process).
import type { Logger } from '../../common/index.js';
import { jsonValue, keys, parseJson, type MetadataStore, type Session } from '../../metadata/index.js';

export interface LoadReport {
  brokerId: string;
  partitions: number;
  msgRateIn: number;
  msgRateOut: number;
  bytesRateIn: number;
  /** CPU time of the process over the interval, per second of wall time (1 = one core busy). */
  cpu: number;
  /** When the broker started (its reports' first `at`). */
  startedAt: number;
  at: number;
}

/** Cumulative counters the reporter turns into rates. */
export interface LoadCounters {
  partitions(): number;
  messagesIn(): Promise<number>;
  messagesOut(): Promise<number>;
  bytesIn(): Promise<number>;
}

export async function readLoadReports(store: MetadataStore): Promise<Map<string, LoadReport>> {
  const { entries } = await store.list(keys.loadReports);
  return new Map(entries.map((e) => [e.key.slice(keys.loadReports.length), parseJson<LoadReport>(e.value)]));
}

export class LoadReporter {
  private timer: NodeJS.Timeout | undefined;
  private last: { at: number; cpu: NodeJS.CpuUsage; in: number; out: number; bytes: number } | undefined;
  private readonly startedAt = Date.now();
  latest: LoadReport | undefined;

  constructor(
    private readonly brokerId: string,
    private readonly store: MetadataStore,
    private readonly session: () => Session | undefined,
    private readonly counters: LoadCounters,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.report();
    this.timer = setInterval(() => void this.report(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Measures and writes one report (rates over the time since the previous one). */
  async report(): Promise<LoadReport | undefined> {
    const session = this.session();
    const now = Date.now();
    const cpu = process.cpuUsage();
    const [msgIn, msgOut, bytes] = await Promise.all([this.counters.messagesIn(), this.counters.messagesOut(), this.counters.bytesIn()]);
    const prev = this.last;
    this.last = { at: now, cpu, in: msgIn, out: msgOut, bytes };
    const seconds = prev ? Math.max(0.001, (now - prev.at) / 1000) : 1;
    const report: LoadReport = {
      brokerId: this.brokerId,
      partitions: this.counters.partitions(),
      msgRateIn: prev ? round((msgIn - prev.in) / seconds) : 0,
      msgRateOut: prev ? round((msgOut - prev.out) / seconds) : 0,
      bytesRateIn: prev ? round((bytes - prev.bytes) / seconds) : 0,
      cpu: prev ? round((cpu.user + cpu.system - prev.cpu.user - prev.cpu.system) / 1e6 / seconds) : 0,
      startedAt: this.startedAt,
      at: now,
    };
    this.latest = report;
    if (!session || session.state !== 'alive') return report;
    try {
      await this.store.put(keys.load(this.brokerId), jsonValue(report), { session });
    } catch (err) {
      this.log.debug({ err }, 'writing the load report failed; the next one retries');
    }
    return report;
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
