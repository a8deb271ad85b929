// LoadLimiter: never more than its concurrency at once, waiters start in arrival order, a failed
// operation frees its slot, and a full queue is refused with a PartitionBusyError naming the work.
import { describe, expect, it } from 'vitest';
import { LoadLimiter } from '../../../../broker/routing/load-limiter.js';
import { PartitionBusyError } from '../../../../broker/errors.js';

describe('LoadLimiter', () => {
  it('runs at most its concurrency at once, starts waiters in order, and frees the slot of a failed operation', async () => {
    const limiter = new LoadLimiter(3);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const runs = Array.from({ length: 40 }, (_, i) =>
      limiter.run(async () => {
        started.push(i);
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, i % 4));
        active--;
        if (i % 5 === 0) throw new Error(`op ${i} failed`);
        return i;
      }),
    );
    // A newcomer arriving whenever an operation settles still queues behind the waiters.
    const late = runs.map((r) => r.then(() => limiter.run(async () => void started.push(-1)), () => limiter.run(async () => void started.push(-1))));
    const results = await Promise.allSettled(runs);
    await Promise.all(late);
    expect(most).toBe(3);
    expect(started.filter((i) => i >= 0)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(started.indexOf(-1)).toBeGreaterThan(started.indexOf(39));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(8);
  });

  it('refuses work beyond its queue with a PartitionBusyError naming what waits', async () => {
    const limiter = new LoadLimiter(1, 'partition lookups waiting', 2);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const queued = [limiter.run(async () => 1), limiter.run(async () => 2)];
    await expect(limiter.run(async () => 3)).rejects.toThrow(PartitionBusyError);
    await expect(limiter.run(async () => 3)).rejects.toThrow('too many partition lookups waiting');
    release();
    await first;
    expect(await Promise.all(queued)).toEqual([1, 2]);
  });
});
