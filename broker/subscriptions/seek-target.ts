// Where a seek lands: the entry holding a message id, or the first entry published at or after a time (a binary
// search per ledger over the batch headers' publish times, which producers stamp in send order).
import { decodeMessageBatchHeader, type MessagePosition } from '../../protocol/index.js';
import type { ManagedLedger, Position } from '../managed-ledger/index.js';
import { InvalidRequestError } from '../errors.js';

/** The entry's stored bytes, or undefined if the log does not hold it (trimmed, or not written yet). */
async function entryAt(ml: ManagedLedger, p: Position): Promise<Buffer | undefined> {
  const [found] = await ml.reader.read(p, 1);
  return found && found.position.ledgerId === p.ledgerId && found.position.entryId === p.entryId ? found.data : undefined;
}

/** The message count of the target's entry; InvalidRequestError if the log does not hold the entry. */
export async function batchSizeAt(ml: ManagedLedger, target: MessagePosition): Promise<number> {
  const data = await entryAt(ml, target);
  if (!data) {
    const last = ml.lastConfirmedPosition;
    // Seeking just past the end (the next message to be written) is allowed: nothing of it is acked.
    if (last && target.ledgerId === last.ledgerId && target.entryId === last.entryId + 1 && target.batchIndex === 0) return 1;
    throw new InvalidRequestError(`message ${target.ledgerId}:${target.entryId}:${target.batchIndex} is not in this partition's log`);
  }
  const count = decodeMessageBatchHeader(data).messageCount;
  if (target.batchIndex >= count) throw new InvalidRequestError(`entry ${target.ledgerId}:${target.entryId} holds ${count} messages; there is no index ${target.batchIndex}`);
  return count;
}

/** The first entry whose publish time is at or after `time`, or the position after the last entry. */
export async function positionAtTime(ml: ManagedLedger, time: number): Promise<MessagePosition> {
  const publishTime = async (p: Position) => decodeMessageBatchHeader((await entryAt(ml, p))!).publishTime;
  const last = ml.lastConfirmedPosition;
  for (const info of ml.ledgers) {
    const count = info.entries ?? (last?.ledgerId === info.ledgerId ? last.entryId + 1 : 0);
    if (count === 0) continue;
    if (!(await entryAt(ml, { ledgerId: info.ledgerId, entryId: 0 }))) continue; // trimmed away
    if ((await publishTime({ ledgerId: info.ledgerId, entryId: count - 1 })) < time) continue;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((await publishTime({ ledgerId: info.ledgerId, entryId: mid })) >= time) hi = mid;
      else lo = mid + 1;
    }
    return { ledgerId: info.ledgerId, entryId: lo, batchIndex: 0 };
  }
  if (last) return { ledgerId: last.ledgerId, entryId: last.entryId + 1, batchIndex: 0 };
  return { ledgerId: ml.ledgers.at(-1)?.ledgerId ?? 0, entryId: 0, batchIndex: 0 };
}
