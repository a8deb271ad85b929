// A fence waits until the adds of its ledger being applied have finished, and a checkpoint until
// those of every ledger have; adds that finish meanwhile wake them, other ledgers' adds do not.
import { describe, expect, it } from 'vitest';
import { ApplyingAdds } from '../../../../bookie/server/applying-adds.js';

/** Lets every pending microtask run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ApplyingAdds', () => {
  it('is idle at once when nothing is being applied', async () => {
    const applying = new ApplyingAdds();
    await applying.idle(7);
    await applying.idle();
  });

  it('wakes a ledger waiter when its last add finishes, not before, and ignores other ledgers', async () => {
    const applying = new ApplyingAdds();
    applying.begin(7);
    applying.begin(7);
    applying.begin(8);
    const woken: string[] = [];
    void applying.idle(7).then(() => woken.push('ledger 7'));
    void applying.idle(8).then(() => woken.push('ledger 8'));
    void applying.idle().then(() => woken.push('all'));
    applying.end(7);
    await flush();
    expect(woken).toEqual([]);
    applying.end(7);
    await flush();
    expect(woken).toEqual(['ledger 7']);
    applying.begin(9); // a later add keeps the global waiter waiting, not the ledger-8 one
    applying.end(8);
    await flush();
    expect(woken).toEqual(['ledger 7', 'ledger 8']);
    applying.end(9);
    await flush();
    expect(woken).toEqual(['ledger 7', 'ledger 8', 'all']);
    await applying.idle(7);
  });
});
