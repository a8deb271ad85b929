// Taking over a ledger whose writer may still be alive (ledger-protocol.md, "Fencing and recovery"):
// CAS OPEN → IN_RECOVERY (or join a recovery under way), fence the last fragment with ensemble
// coverage, read forward from max(LAC) + 1 re-writing every entry that exists, and at the first
// provably absent entry CAS IN_RECOVERY → CLOSED. Two recoverers racing read the same quorum facts,
// so they agree on the last entry; only one CAS wins and the other re-reads the result.
import { BadVersionError } from '../../metadata/index.js';
import type { Logger } from '../../common/index.js';
import type { LedgerMetadata } from '../metadata/ledger-metadata.js';
import type { LedgerMetadataStore, VersionedLedgerMetadata } from '../metadata/ledger-metadata-store.js';
import type { BookiePool } from '../bookies/bookie-pool.js';
import { fenceLastFragment } from './fence-ledger.js';
import { readForRecovery, recoveryWrite } from './recovery-read.js';

export interface RecoveryDeps {
  metadataStore: LedgerMetadataStore;
  pool: BookiePool;
  log: Logger;
}

export async function recoverLedger(deps: RecoveryDeps, ledgerId: number, { fenceTimeoutMs = 10_000 } = {}): Promise<VersionedLedgerMetadata> {
  for (;;) {
    let v = await deps.metadataStore.read(ledgerId);
    if (v.metadata.state === 'CLOSED') return v;
    if (v.metadata.state === 'OPEN') {
      try {
        v = await deps.metadataStore.update({ ...v.metadata, state: 'IN_RECOVERY' }, v.version);
      } catch (err) {
        if (err instanceof BadVersionError) continue;
        throw err;
      }
    }
    const m = v.metadata;
    const last = m.fragments[m.fragments.length - 1]!;
    const fencedLac = await fenceLastFragment(deps.pool, m, last, fenceTimeoutMs);
    // Every entry before the last fragment was confirmed when that fragment was recorded.
    let entryId = Math.max(fencedLac, last.firstEntryId - 1) + 1;
    let lastExisting = entryId - 1;
    for (;;) {
      const found = await readForRecovery(deps.pool, m, last, entryId);
      if (found.kind === 'absent') break;
      await recoveryWrite(deps.pool, m, last, entryId, found.payload, lastExisting);
      lastExisting = entryId++;
    }
    const closed: LedgerMetadata = { ...m, state: 'CLOSED', lastEntryId: lastExisting };
    delete closed.length;
    try {
      const result = await deps.metadataStore.update(closed, v.version);
      deps.log.info({ ledgerId, lastEntryId: lastExisting, fencedLac }, 'ledger recovered and closed');
      return result;
    } catch (err) {
      if (err instanceof BadVersionError) continue; // another recoverer closed it: read what it decided
      throw err;
    }
  }
}
