// Reading one entry during recovery, with the rules that decide it (ledger-protocol.md):
// it EXISTS when any bookie of its write set returns it; it is ABSENT when (Qw − Qa) + 1 of them
// answer "no such entry/ledger" (so no Qa of them can have confirmed it); anything else is unknown,
// and recovery stops to retry later — it never guesses.
// Every read is a fencing read (FENCE, then READ on the same connection), as in BookKeeper: ensemble
// coverage leaves up to Qa − 1 bookies of a write set unfenced, and an unfenced bookie's "no such
// entry" proves nothing — an add the old writer sent earlier may still reach it and be acknowledged,
// completing a quorum with a bookie that acknowledged before its fence. A bookie answers a fence only
// once every add it received before is applied, and refuses normal adds afterwards, so its "no" holds.
import { BookieStatus } from '../../protocol/index.js';
import { RecoveryIncompleteError } from '../errors.js';
import { writeSet, type Fragment, type LedgerMetadata } from '../metadata/ledger-metadata.js';
import type { BookiePool } from '../bookies/bookie-pool.js';

export type RecoveryReadResult = { kind: 'exists'; payload: Buffer } | { kind: 'absent' };

const MAX_ENTRY_READ_BYTES = 16 * 1024 * 1024;

export function readForRecovery(pool: BookiePool, metadata: LedgerMetadata, fragment: Fragment, entryId: number): Promise<RecoveryReadResult> {
  const bookies = writeSet(fragment, entryId, metadata.writeQuorum);
  const neededAbsent = metadata.writeQuorum - metadata.ackQuorum + 1;
  let absent = 0;
  let answered = 0;
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = () => {
      if (done) return;
      if (absent >= neededAbsent) {
        // At most Qa − 1 bookies can hold it: it was never confirmed, whatever the others say.
        done = true;
        resolve({ kind: 'absent' });
        return;
      }
      if (answered < bookies.length) return;
      done = true;
      reject(new RecoveryIncompleteError(`entry ${entryId} of ledger ${metadata.id} is neither found nor provably absent (${absent}/${neededAbsent} absent answers)`));
    };
    for (const bookieId of bookies) {
      pool
        .get(bookieId)
        .then(async (client) => {
          const fence = await client.fence(metadata.id);
          if (fence.status !== BookieStatus.OK) throw new RecoveryIncompleteError(`bookie ${bookieId} answered fence of ledger ${metadata.id} with status ${fence.status}`);
          return client.readEntries({ ledgerId: metadata.id, firstEntryId: entryId, lastEntryId: entryId, maxBytes: MAX_ENTRY_READ_BYTES });
        })
        .then(
          (res) => {
            answered++;
            if (res.status === BookieStatus.OK && res.entries[0]?.entryId === entryId) {
              if (!done) {
                done = true;
                resolve({ kind: 'exists', payload: res.entries[0].payload });
              }
              return;
            }
            if (res.status === BookieStatus.NO_SUCH_ENTRY || res.status === BookieStatus.NO_SUCH_LEDGER) absent++;
            settle();
          },
          () => {
            answered++;
            settle();
          },
        );
    }
  });
}

/** Writes an entry found during recovery to its write set (recovery adds); resolves once ackQuorum hold it. */
export function recoveryWrite(pool: BookiePool, metadata: LedgerMetadata, fragment: Fragment, entryId: number, payload: Buffer, lac: number): Promise<void> {
  const bookies = writeSet(fragment, entryId, metadata.writeQuorum);
  let ok = 0;
  let answered = 0;
  return new Promise((resolve, reject) => {
    let done = false;
    const onAnswer = (success: boolean) => {
      answered++;
      if (success) ok++;
      if (done) return;
      if (ok >= metadata.ackQuorum) {
        done = true;
        resolve();
      } else if (answered === bookies.length) {
        done = true;
        reject(new RecoveryIncompleteError(`recovery write of entry ${entryId} of ledger ${metadata.id} reached ${ok} of ${metadata.ackQuorum} bookies`));
      }
    };
    for (const bookieId of bookies) {
      pool
        .get(bookieId)
        .then((client) => client.addEntry({ ledgerId: metadata.id, entryId, lac, payload, recovery: true }))
        .then(
          (res) => onAnswer(res.status === BookieStatus.OK),
          () => onAnswer(false),
        );
    }
  });
}
