// Carries out moves one at a time, so a rebalance never takes many partitions down at once. A move:
// write the assignment (so lookups during the move already point at the target), have the owner unload
// the partition (it stops taking writes, closes its ledger, saves cursors and dedup state, releases the
// ownership key and tells its clients where it went), then have the target load it. The gap — from the
// start of the unload until the target serves — is what the move costs clients; it is logged and
// observed in a histogram.
import { Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../common/index.js';
import type { PartitionRef } from '../../metadata/index.js';
import { PartitionUnavailableError } from '../errors.js';
import type { LiveBroker, PlacementStore } from './placement-store.js';
import type { Move } from './rebalance-plan.js';

/** How the mover reaches the brokers involved (internal HTTP routes, or this broker directly). */
export interface MoveCalls {
  /** The owner closes the partition cleanly and releases it, telling clients it went to `to`. */
  unload(owner: LiveBroker, p: PartitionRef, to: LiveBroker): Promise<void>;
  /** The target claims and loads the partition; resolves once it serves. */
  load(target: LiveBroker, p: PartitionRef): Promise<void>;
}

export interface PartitionMoverDeps {
  placement: PlacementStore;
  calls: MoveCalls;
  log: Logger;
  /** Gets the histogram of move gaps. */
  registry?: Registry;
}

export interface MoveTiming {
  /** From the start of the unload until the target served. */
  gapMs: number;
  unloadMs: number;
}

export class PartitionMover {
  private readonly moveSeconds: Histogram;

  constructor(private readonly deps: PartitionMoverDeps) {
    this.moveSeconds = new Histogram({
      name: 'strata_broker_partition_move_seconds',
      help: 'partition moves coordinated by this broker (rebalance, drain): from the start of the unload on the owner until the target serves',
      buckets: [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registers: deps.registry ? [deps.registry] : [],
    });
  }

  /**
   * Runs `moves` in order between the `brokers` named. Stops at the first failure with a retriable error
   * that says how far it got (running the rebalance or drain again plans from the new state).
   */
  async run(moves: readonly Move[], brokers: ReadonlyMap<string, LiveBroker>): Promise<Move[]> {
    const done: Move[] = [];
    for (const move of moves) {
      try {
        await this.move(move, brokers);
      } catch (err) {
        const where = `${move.topic}/${move.partition} from ${move.from} to ${move.to}`;
        throw new PartitionUnavailableError(`moving ${where} failed after ${done.length} of ${moves.length} moves: ${(err as Error).message}`, { cause: err });
      }
      done.push(move);
    }
    return done;
  }

  private async move(move: Move, brokers: ReadonlyMap<string, LiveBroker>): Promise<MoveTiming> {
    const p = { topic: move.topic, partition: move.partition };
    const from = brokers.get(move.from);
    const to = brokers.get(move.to);
    if (!from) throw new PartitionUnavailableError(`broker ${move.from} is gone`);
    if (!to) throw new PartitionUnavailableError(`broker ${move.to} is gone`);
    await this.deps.placement.assign(p, to.id);
    const start = performance.now();
    await this.deps.calls.unload(from, p, to);
    const unloaded = performance.now();
    await this.deps.calls.load(to, p);
    const timing = { gapMs: round(performance.now() - start), unloadMs: round(unloaded - start) };
    this.moveSeconds.observe(timing.gapMs / 1000);
    this.deps.log.info({ partition: p, from: from.id, to: to.id, ...timing }, 'partition moved');
    return timing;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
