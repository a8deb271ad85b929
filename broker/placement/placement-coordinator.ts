// Rebalance and drain, run by whichever broker the admin call reached: it reads who owns what, plans the
// moves (rebalance-plan.ts) and carries them out through the owners' and targets' internal routes. One
// rebalance or drain at a time per broker; two brokers coordinating at once stay correct (each move is
// a clean unload and a claim) but may move a partition twice.
import type { Registry } from 'prom-client';
import type { Logger } from '../../common/index.js';
import type { MetadataStore } from '../../metadata/index.js';
import { listOwnership } from '../admin/cluster-view.js';
import { BrokerNotFoundError, NoTargetBrokerError } from '../errors.js';
import { moveCalls, type LocalMoves } from './move-calls.js';
import { PartitionMover } from './partition-mover.js';
import type { LiveBroker, PlacementStore } from './placement-store.js';
import { planDrain, planRebalance, type Move } from './rebalance-plan.js';

/** A drain plans again after its moves while the broker still owns something (a claim that raced it). */
const DRAIN_ROUNDS = 3;

export interface PlacementCoordinatorDeps {
  store: MetadataStore;
  placement: PlacementStore;
  /** This broker, for moves it is the owner or the target of. */
  local: LocalMoves;
  registry: Registry;
  log: Logger;
}

export class PlacementCoordinator {
  private readonly store: MetadataStore;
  private readonly placement: PlacementStore;
  private readonly mover: PartitionMover;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: PlacementCoordinatorDeps) {
    this.store = deps.store;
    this.placement = deps.placement;
    this.mover = new PartitionMover({ placement: deps.placement, calls: moveCalls(deps.local), log: deps.log, registry: deps.registry });
  }

  /** Moves the fewest partitions so that no eligible broker owns more than ⌈P/B⌉. */
  rebalance(): Promise<Move[]> {
    return this.serialised(async () => {
      const { brokers, owned } = await this.state();
      const eligible = [...brokers.values()].filter((b) => !b.draining).map((b) => b.id);
      return this.mover.run(planRebalance(owned, eligible), brokers);
    });
  }

  /** Carries out moves planned elsewhere (load shedding), one at a time with rebalances and drains. */
  move(moves: readonly Move[]): Promise<Move[]> {
    return this.serialised(async () => {
      const { brokers } = await this.state();
      return this.mover.run(moves, brokers);
    });
  }

  /** Marks `brokerId` draining (it claims nothing from now on) and moves every partition off it. */
  drain(brokerId: string): Promise<Move[]> {
    return this.serialised(async () => {
      const live = await this.placement.brokers();
      if (!live.some((b) => b.id === brokerId)) throw new BrokerNotFoundError(`no live broker ${brokerId}`);
      // Draining the last broker that takes partitions would leave new partitions nowhere to go.
      if (!live.some((b) => b.id !== brokerId && !b.draining)) throw new NoTargetBrokerError(`no live broker other than ${brokerId} takes partitions: nothing could take its partitions`);
      await this.placement.markDraining(brokerId);
      const moved: Move[] = [];
      for (let round = 0; round < DRAIN_ROUNDS; round++) {
        const { brokers, owned } = await this.state();
        const eligible = [...brokers.values()].filter((b) => !b.draining).map((b) => b.id);
        const moves = planDrain(owned, eligible, brokerId);
        if (moves.length === 0) break;
        moved.push(...(await this.mover.run(moves, brokers)));
      }
      return moved;
    });
  }

  private async state(): Promise<{ brokers: Map<string, LiveBroker>; owned: Array<{ topic: string; partition: number; broker: string }> }> {
    const [brokers, owned] = await Promise.all([this.placement.brokers(), listOwnership(this.store)]);
    return { brokers: new Map(brokers.map((b) => [b.id, b])), owned };
  }

  private serialised<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
