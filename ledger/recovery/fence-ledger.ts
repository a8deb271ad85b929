// Fencing for recovery: FENCE to every bookie of the last fragment, done once every write set has at
// most ackQuorum − 1 unfenced bookies ("ensemble coverage": (Qw − Qa) + 1 fenced per write set).
// From then on the old writer cannot gather ackQuorum answers for any entry.
import { BookieStatus } from '../../protocol/index.js';
import { RecoveryIncompleteError } from '../errors.js';
import { writeSetPositions, type Fragment, type LedgerMetadata } from '../metadata/ledger-metadata.js';
import type { BookiePool } from '../bookies/bookie-pool.js';

/** Whether `fenced` positions cover every write set of an ensemble of `e` with quorums qw/qa. */
export function hasEnsembleCoverage(fenced: ReadonlySet<number>, e: number, qw: number, qa: number): boolean {
  const needed = qw - qa + 1;
  for (let start = 0; start < e; start++) {
    let n = 0;
    for (const p of writeSetPositions(start, e, qw)) if (fenced.has(p)) n++;
    if (n < needed) return false;
  }
  return true;
}

/** Fences the last fragment; resolves with the highest LAC the fenced bookies reported. */
export function fenceLastFragment(pool: BookiePool, metadata: LedgerMetadata, fragment: Fragment, timeoutMs: number): Promise<number> {
  const e = fragment.ensemble.length;
  const { writeQuorum: qw, ackQuorum: qa } = metadata;
  const fenced = new Set<number>();
  const failed = new Set<number>();
  let maxLac = -1;
  return new Promise<number>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new RecoveryIncompleteError(`fencing ledger ${metadata.id} timed out after ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(maxLac);
    };
    const check = () => {
      if (hasEnsembleCoverage(fenced, e, qw, qa)) return finish();
      const possible = new Set(Array.from({ length: e }, (_, p) => p).filter((p) => !failed.has(p)));
      if (!hasEnsembleCoverage(possible, e, qw, qa)) {
        finish(new RecoveryIncompleteError(`cannot fence ledger ${metadata.id}: bookies ${[...failed].map((p) => fragment.ensemble[p]).join(', ')} unreachable`));
      }
    };
    fragment.ensemble.forEach((bookieId, position) => {
      pool
        .get(bookieId)
        .then((client) => client.fence(metadata.id))
        .then(
          (res) => {
            if (res.status === BookieStatus.OK) {
              fenced.add(position);
              maxLac = Math.max(maxLac, res.lac);
            } else failed.add(position);
            check();
          },
          () => {
            failed.add(position);
            check();
          },
        );
    });
  });
}
