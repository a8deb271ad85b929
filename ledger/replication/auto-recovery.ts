// Auto-recovery: ledgers whose copies fell below their write quorum because a bookie is gone (longer
// than a grace period) are re-replicated onto live bookies. Every process may run one; a lock key
// bound to a session picks a single runner across the cluster. The runner works in rounds, one at a
// time, every `intervalMs`: list the ledgers, decide (UnderReplicationScanner), copy and record at
// most `maxFragmentsPerRound` fragments (FragmentReplicator), then publish its progress under
// /auto-recovery/status — written only while it still holds the lock (a transaction checks the lock
// key's create revision), so a runner that lost the lock cannot overwrite its successor's status.
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '../../common/index.js';
import { jsonValue, keys, parseJson, type MetadataStore } from '../../metadata/index.js';
import type { LedgerClient } from '../ledger-client.js';
import { decodeLedgerMetadata, type LedgerMetadata } from '../metadata/ledger-metadata.js';
import { AutoRecoveryLock } from './auto-recovery-lock.js';
import { AutoRecoveryMetrics } from './auto-recovery-metrics.js';
import { FragmentReplicator } from './fragment-replicator.js';
import { UnderReplicationScanner } from './under-replication-scanner.js';

export interface AutoRecoveryOptions {
  /** Who runs (recorded in the lock and the status), e.g. the broker id. */
  runner: string;
  /** How long a bookie must stay unregistered before its copies are replaced. Default 60 s. */
  graceMs?: number;
  /** Time between rounds. Default 10 s. */
  intervalMs?: number;
  /** Fragments re-replicated per round at most (bounded work; the rest waits for the next round). Default 32. */
  maxFragmentsPerRound?: number;
  /** TTL of the lock's session. Default 6 s. */
  sessionTtlMs?: number;
  /** Where the Prometheus metrics go (the broker's registry); none when absent. */
  registry?: Registry;
  logger?: Logger;
}

/** What `GET /admin/v1/auto-recovery` answers: the cluster's auto-recovery, read from the store. */
export interface AutoRecoveryStatus {
  /** Closed ledgers still under-replicated after the last round. */
  underReplicated: number;
  /** Fragments re-replicated since the status was first written (all runners). */
  replicatedFragments: number;
  /** Entry copies written since the status was first written (all runners). */
  copiedEntries: number;
  /** When the last round finished (ISO 8601), null before the first. */
  lastRun: string | null;
  /** Whether a runner holds the lock now. */
  running: boolean;
  /** The runner holding the lock, null when none. */
  runner: string | null;
}

/** The result of one round. */
export interface RoundResult {
  /** Ledgers still under-replicated after the round. */
  underReplicated: number;
  replicatedFragments: number;
  copiedEntries: number;
  /** Fragments that failed this round (retried next round). */
  failedFragments: number;
  /** Fragments found but left for a later round (the per-round bound). */
  deferredFragments: number;
  /** Bookies unregistered but still within the grace period. */
  missingWithinGrace: string[];
}

interface StoredStatus {
  runner: string;
  underReplicated: number;
  replicatedFragments: number;
  copiedEntries: number;
  lastRun: number;
}

export class AutoRecovery {
  private readonly store: MetadataStore;
  private readonly lock: AutoRecoveryLock;
  private readonly scanner: UnderReplicationScanner;
  private readonly replicator: FragmentReplicator;
  private readonly metrics: AutoRecoveryMetrics | undefined;
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly maxFragmentsPerRound: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<RoundResult | undefined> | undefined;
  private stopped = false;
  private readonly stopping = new AbortController();
  /** Totals carried over from the stored status when this process took the lock. */
  private totals: { replicatedFragments: number; copiedEntries: number } | undefined;

  constructor(private readonly ledgers: LedgerClient, private readonly options: AutoRecoveryOptions) {
    this.store = ledgers.metadataStore.store;
    this.log = (options.logger ?? createLogger('auto-recovery')).child({ part: 'auto-recovery' });
    this.lock = new AutoRecoveryLock(this.store, options.runner, options.sessionTtlMs ?? 6000);
    this.scanner = new UnderReplicationScanner({ graceMs: options.graceMs ?? 60_000 });
    this.replicator = new FragmentReplicator({ metadataStore: ledgers.metadataStore, pool: ledgers.pool, liveBookies: () => ledgers.registry.live(), log: this.log });
    this.metrics = options.registry ? new AutoRecoveryMetrics(options.registry) : undefined;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.maxFragmentsPerRound = options.maxFragmentsPerRound ?? 32;
  }

  /** Runs a first round now (taking the lock if free), then one every `intervalMs`, until stop(). */
  start(): void {
    if (this.stopped || this.timer) return;
    const tick = (delayMs: number) => {
      this.timer = setTimeout(() => {
        void this.runOnce()
          .catch((err: unknown) => this.log.warn({ err }, 'auto-recovery round failed'))
          .finally(() => {
            if (!this.stopped) tick(this.intervalMs);
          });
      }, delayMs);
      this.timer.unref();
    };
    tick(0);
  }

  /** One round, if this process holds (or can take) the lock; undefined when another runner has it. Rounds never overlap. */
  runOnce(): Promise<RoundResult | undefined> {
    this.current ??= this.round().finally(() => (this.current = undefined));
    return this.current;
  }

  private async round(): Promise<RoundResult | undefined> {
    if (this.stopped) return undefined;
    const held = this.lock.held;
    if (!(await this.lock.tryAcquire())) {
      this.metrics?.runner.set(0);
      this.metrics?.underReplicatedLedgers.set(0);
      return undefined;
    }
    if (!held || this.totals === undefined) {
      const stored = await this.readStoredStatus();
      this.totals = { replicatedFragments: stored?.replicatedFragments ?? 0, copiedEntries: stored?.copiedEntries ?? 0 };
      this.scanner.reset();
      this.log.info({ runner: this.options.runner }, 'auto-recovery lock taken: this process re-replicates');
    }
    this.metrics?.runner.set(1);
    this.metrics?.rounds.inc();

    const scan = this.scanner.scan(await this.listLedgers(), new Set(this.ledgers.registry.live()), Date.now());
    const result: RoundResult = { underReplicated: 0, replicatedFragments: 0, copiedEntries: 0, failedFragments: 0, deferredFragments: 0, missingWithinGrace: scan.missingWithinGrace };
    const stillUnder = new Set<number>();
    for (const [i, fragment] of scan.fragments.entries()) {
      if (i >= this.maxFragmentsPerRound || this.stopped || !this.lock.held) {
        result.deferredFragments++;
        stillUnder.add(fragment.ledgerId);
        continue;
      }
      try {
        const outcome = await this.replicator.replicate(fragment, this.stopping.signal);
        result.copiedEntries += outcome.copiedEntries;
        this.metrics?.copiedEntries.inc(outcome.copiedEntries);
        if (outcome.kind === 'replicated') {
          result.replicatedFragments++;
          this.metrics?.replicatedFragments.inc();
        } else this.log.debug({ ledgerId: fragment.ledgerId, fragment: fragment.fragmentIndex, reason: outcome.reason }, 'fragment needs no re-replication any more');
      } catch (err) {
        result.failedFragments++;
        stillUnder.add(fragment.ledgerId);
        if (this.stopped) continue;
        this.metrics?.failures.inc({ code: (err as { code?: string }).code ?? 'INTERNAL' });
        this.log.warn({ err, ledgerId: fragment.ledgerId, fragment: fragment.fragmentIndex }, 'fragment re-replication failed; retried next round');
      }
    }
    result.underReplicated = stillUnder.size;
    this.metrics?.underReplicatedLedgers.set(result.underReplicated);
    this.totals.replicatedFragments += result.replicatedFragments;
    this.totals.copiedEntries += result.copiedEntries;
    await this.publish(result);
    if (scan.fragments.length > 0) this.log.info({ ...result }, 'auto-recovery round done');
    return result;
  }

  private async listLedgers(): Promise<LedgerMetadata[]> {
    const { entries } = await this.store.list(keys.ledgers);
    const out: LedgerMetadata[] = [];
    for (const e of entries) {
      try {
        out.push(decodeLedgerMetadata(e.value));
      } catch (err) {
        this.log.warn({ err, key: e.key }, 'skipping unreadable ledger metadata');
      }
    }
    return out;
  }

  /** Writes the status, only while the lock key is still the one this process created. */
  private async publish(result: RoundResult): Promise<void> {
    if (!this.lock.held) return;
    const status: StoredStatus = {
      runner: this.options.runner,
      underReplicated: result.underReplicated,
      replicatedFragments: this.totals!.replicatedFragments,
      copiedEntries: this.totals!.copiedEntries,
      lastRun: Date.now(),
    };
    await this.store
      .txn({ compares: [{ key: keys.autoRecoveryLock, createRevision: this.lock.revision }], ops: [{ type: 'put', key: keys.autoRecoveryStatus, value: jsonValue(status) }] })
      .catch((err: unknown) => this.log.warn({ err }, 'auto-recovery status not written (lock lost)'));
  }

  private async readStoredStatus(): Promise<StoredStatus | undefined> {
    const entry = await this.store.get(keys.autoRecoveryStatus);
    return entry ? parseJson<StoredStatus>(entry.value) : undefined;
  }

  /** The cluster's auto-recovery status, whichever process runs it. */
  async status(): Promise<AutoRecoveryStatus> {
    const [holder, stored] = await Promise.all([this.lock.holder(), this.readStoredStatus()]);
    return {
      underReplicated: stored?.underReplicated ?? 0,
      replicatedFragments: stored?.replicatedFragments ?? 0,
      copiedEntries: stored?.copiedEntries ?? 0,
      lastRun: stored ? new Date(stored.lastRun).toISOString() : null,
      running: holder !== undefined,
      runner: holder?.runner ?? null,
    };
  }

  /** Stops the rounds, waits for the one under way, and releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort(new Error('auto-recovery stopped'));
    clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
    await this.lock.release().catch((err: unknown) => this.log.warn({ err }, 'auto-recovery lock release failed'));
    this.metrics?.runner.set(0);
  }
}
