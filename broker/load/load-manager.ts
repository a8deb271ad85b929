// The load manager: every broker reports its load; the elected leader places unowned partitions on the
// least-loaded broker (other brokers ask it through POST /internal/v1/placement/…) and, every shedding
// interval, moves partitions off brokers that stay overloaded (load-plan.ts). Without a reachable leader, the
// claim rule's interim choice (the broker asked) keeps partitions available.
import type { Logger } from '../../common/index.js';
import type { MetadataStore, PartitionRef } from '../../metadata/index.js';
import { listOwnership } from '../admin/cluster-view.js';
import type { PlacementStore } from '../placement/index.js';
import { forward } from '../routing/forward-client.js';
import type { LeaderElection } from './leader-election.js';
import { choosePlacement, DEFAULT_LOAD_PLAN_OPTIONS, planShedding, type Candidate, type LoadPlanOptions, type PlannedMove, type SheddingState } from './load-plan.js';
import { readLoadReports, type LoadReport } from './load-report.js';

export interface LoadManagerDeps {
  brokerId: string;
  store: MetadataStore;
  placement: PlacementStore;
  election: LeaderElection;
  /** Carries moves out (one at a time with rebalance and drain). */
  move: (moves: PlannedMove[]) => Promise<unknown>;
  /** Time between shedding rounds; 0 = no shedding. */
  sheddingIntervalMs: number;
  /** Placements counted against a broker until its next report: one round. */
  roundMs: number;
  options?: Partial<LoadPlanOptions>;
  log: Logger;
}

export interface LoadView {
  leader: string | undefined;
  brokers: Array<LoadReport & { draining: boolean }>;
}

const PLACEMENT_CALL_TIMEOUT_MS = 3_000;
const CANDIDATES_TTL_MS = 1_000;

export class LoadManager {
  private readonly options: LoadPlanOptions;
  private placed = new Map<string, number>();
  private readonly shedding: SheddingState = { overloadedRounds: new Map(), movedAt: new Map() };
  private timers: NodeJS.Timeout[] = [];
  private shedRunning = false;
  /** When this leader placed partitions on each broker, until that broker's load report is newer. */
  private readonly recentPlacements = new Map<string, number[]>();
  /** Brokers and reports read for placement, reused for a short while: a burst of lookups reads them once. */
  private cached: { at: number; candidates: Promise<Candidate[]> } | undefined;

  constructor(private readonly deps: LoadManagerDeps) {
    this.options = { ...DEFAULT_LOAD_PLAN_OPTIONS, ...deps.options };
  }

  start(): void {
    const round = setInterval(() => (this.placed = new Map()), this.deps.roundMs);
    round.unref();
    this.timers.push(round);
    if (this.deps.sheddingIntervalMs > 0) {
      const shed = setInterval(() => void this.shedRound(), this.deps.sheddingIntervalMs);
      shed.unref();
      this.timers.push(shed);
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /**
   * The broker that should claim unowned `p`, decided by the leader (asked over HTTP when it is another
   * broker). Undefined when no leader answers: the caller falls back to the claim rule.
   */
  async placementFor(p: PartitionRef): Promise<string | undefined> {
    if (this.deps.election.isLeader) return this.place(p);
    const leader = this.deps.election.leader;
    if (!leader) return undefined;
    try {
      const res = await forward<{ brokerId?: string | null }>(leader.httpUrl, 'POST', `/internal/v1/placement/${p.topic}/${p.partition}`, undefined, PLACEMENT_CALL_TIMEOUT_MS);
      return res.brokerId ?? undefined;
    } catch (err) {
      this.deps.log.debug({ err, partition: p }, 'the load manager leader did not place the partition; the claim rule decides');
      return undefined;
    }
  }

  /** Leader only: chooses the least-loaded broker for `p` and records the assignment. */
  async place(p: PartitionRef): Promise<string | undefined> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CANDIDATES_TTL_MS) {
      const candidates = this.candidates();
      this.cached = { at: now, candidates };
      candidates.catch(() => (this.cached = undefined));
    }
    const candidates = await this.cached.candidates;
    const choice = choosePlacement(candidates, this.placed, Date.now(), this.options, this.unreportedPlacements(candidates));
    if (choice === undefined) return undefined;
    this.placed.set(choice, (this.placed.get(choice) ?? 0) + 1);
    const times = this.recentPlacements.get(choice) ?? [];
    times.push(Date.now());
    this.recentPlacements.set(choice, times);
    await this.deps.placement.assign(p, choice);
    this.deps.log.debug({ partition: p, broker: choice }, 'partition placed');
    return choice;
  }

  /** One shedding round (leader only): moves partitions off brokers overloaded for long enough. */
  async shedRound(): Promise<PlannedMove[]> {
    if (!this.deps.election.isLeader || this.shedRunning) return [];
    this.shedRunning = true;
    try {
      const [candidates, owned] = await Promise.all([this.candidates(), listOwnership(this.deps.store)]);
      const moves = planShedding(candidates, owned, this.shedding, Date.now(), this.options);
      if (moves.length > 0) {
        this.deps.log.info({ moves: moves.length, from: [...new Set(moves.map((m) => m.from))] }, 'shedding load');
        await this.deps.move(moves);
      }
      return moves;
    } catch (err) {
      this.deps.log.warn({ err }, 'load shedding round failed');
      return [];
    } finally {
      this.shedRunning = false;
    }
  }

  /** Reports of the live brokers, for the admin API. */
  async view(): Promise<LoadView> {
    const candidates = await this.candidates();
    return {
      leader: this.deps.election.leader?.brokerId,
      brokers: candidates.flatMap((c) => (c.report ? [{ ...c.report, draining: c.draining }] : [])),
    };
  }

  /**
   * Per broker, the placements made since its load report was written (the report cannot count them yet;
   * the per-round `placed` map is reset on a timer, which would forget a burst's first placements while the
   * reports still lag behind them). Older placements are dropped.
   */
  private unreportedPlacements(candidates: readonly Candidate[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of this.recentPlacements.keys()) if (!candidates.some((c) => c.id === id)) this.recentPlacements.delete(id);
    for (const c of candidates) {
      const since = c.report?.at ?? 0;
      const times = (this.recentPlacements.get(c.id) ?? []).filter((t) => t >= since);
      if (times.length > 0) this.recentPlacements.set(c.id, times);
      else this.recentPlacements.delete(c.id);
      counts.set(c.id, times.length);
    }
    return counts;
  }

  private async candidates(): Promise<Candidate[]> {
    const [brokers, reports] = await Promise.all([this.deps.placement.brokers(), readLoadReports(this.deps.store)]);
    return brokers.map((b) => ({ id: b.id, draining: b.draining, report: reports.get(b.id) }));
  }
}
