// Replay at open: every record after the checkpoint, in order, with the rules that decide between
// a torn tail (cut it) and corruption (refuse to start). Runs before the journal appends anything.
//
// Rules:
// - Files from the checkpoint's file on must all exist, with consecutive ids and valid headers;
//   only the last file may have an incomplete (short or zero) header: it was being created at the
//   crash, holds nothing acknowledged, and is removed.
// - A bad record (short, impossible length, checksum mismatch) is a torn tail only if no plausible
//   record (sane length, known type, matching checksum) starts at any later offset of its file and
//   every later file holds no record (a file created ahead of need and never written to: the
//   journal writes to a new file only after everything before it is synced); then the file is
//   truncated where the bad record starts and fsynced. Otherwise it is JournalCorruptError naming
//   the file and offset. A zero-filled tail is torn.
// - A record whose checksum holds but whose content is not understood is never cut.
// A payload that happens to contain a well-formed record makes damage before it look like
// corruption: the rule errs towards refusing to start, never towards dropping data.
import fs from 'node:fs/promises';
import path from 'node:path';
import { CHECKPOINT_TMP_FILE, readCheckpoint } from './checkpoint-file.js';
import { removeJournalFiles } from './create-journal-file.js';
import { JournalCorruptError } from './errors.js';
import { JOURNAL_HEADER_BYTES, checkJournalHeader, journalFileName, parseJournalFileName } from './journal-file-header.js';
import type { JournalLogger, ReplayHandler } from './journal-options.js';
import type { JournalPosition } from './journal-position.js';
import { isPlausibleRecordAt, readRecord } from './journal-record.js';
import type { SyncFunction } from './journal-sync.js';

export interface ReplaySummary {
  /** The checkpoint replay started after, if any. */
  readonly checkpoint: JournalPosition | undefined;
  /** Journal files read. */
  readonly files: number;
  /** Records handed to the replay handler. */
  readonly records: number;
  /** Where a torn tail was cut, if one was. */
  readonly truncatedAt: JournalPosition | undefined;
}

export interface ReplayResult extends ReplaySummary {
  /** The id the next journal file must take: every existing file is older. */
  readonly nextFileId: number;
  /** The oldest journal file left on disk, if any. */
  readonly oldestFileId: number | undefined;
}

export interface ReplayContext {
  readonly replay: ReplayHandler | undefined;
  readonly logger: JournalLogger | undefined;
  readonly sync: SyncFunction;
}

export async function replayJournal(dir: string, ctx: ReplayContext): Promise<ReplayResult> {
  await fs.rm(path.join(dir, CHECKPOINT_TMP_FILE), { force: true });
  const checkpoint = await readCheckpoint(dir);
  let ids = (await fs.readdir(dir))
    .map(parseJournalFileName)
    .filter((id): id is number => id !== undefined)
    .sort((a, b) => a - b);

  if (checkpoint !== undefined) {
    // Files wholly before the checkpoint are obsolete; a crash may have interrupted their removal.
    for (const id of ids) if (id < checkpoint.fileId) await fs.rm(path.join(dir, journalFileName(id)), { force: true });
    ids = ids.filter((id) => id >= checkpoint.fileId);
    if (ids[0] !== checkpoint.fileId) {
      throw new JournalCorruptError(path.join(dir, journalFileName(checkpoint.fileId)), checkpoint.offset, 'the journal file named by the checkpoint is missing');
    }
  }
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] !== ids[i - 1] + 1) {
      throw new JournalCorruptError(path.join(dir, journalFileName(ids[i - 1] + 1)), 0, `journal file missing between ${ids[i - 1]} and ${ids[i]}`);
    }
  }

  let records = 0;
  let files = 0;
  let truncatedAt: JournalPosition | undefined;
  let nextFileId = (ids.at(-1) ?? 0) + 1;
  let oldestFileId = ids.at(0);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const last = i === ids.length - 1;
    const file = path.join(dir, journalFileName(id));
    const data = await fs.readFile(file);
    files++;
    if (checkJournalHeader(file, data, id) === 'torn') {
      if (!last || checkpoint?.fileId === id) {
        throw new JournalCorruptError(file, 0, 'incomplete journal file header in a file that holds acknowledged data');
      }
      ctx.logger?.warn({ file, bytes: data.length }, 'removing a journal file whose creation was interrupted');
      await removeJournalFiles(dir, [id], ctx.sync);
      nextFileId = id;
      if (i === 0) oldestFileId = undefined;
      break;
    }
    let offset = JOURNAL_HEADER_BYTES;
    if (checkpoint?.fileId === id) {
      offset = checkpoint.offset;
      if (offset < JOURNAL_HEADER_BYTES || offset > data.length) {
        throw new JournalCorruptError(file, offset, `checkpoint offset outside the file (${data.length} bytes)`);
      }
    }
    while (offset < data.length) {
      const read = readRecord(data, offset);
      if (read.kind === 'ok') {
        offset = read.end;
        records++;
        if (ctx.replay !== undefined) {
          const applied = ctx.replay(read.record, { fileId: id, offset });
          if (applied !== undefined) await applied;
        }
        continue;
      }
      if (read.kind === 'unknown') {
        throw new JournalCorruptError(file, offset, `${read.reason} in a record whose checksum is valid`);
      }
      const written = await firstWrittenFile(dir, ids.slice(i + 1));
      if (written !== undefined) throw new JournalCorruptError(file, offset, `${read.reason}, and the later journal file ${written} holds records`);
      const valid = findPlausibleRecord(data, offset + 1);
      if (valid !== undefined) {
        throw new JournalCorruptError(file, offset, `${read.reason}, followed by a valid record at offset ${valid}`);
      }
      ctx.logger?.warn({ file, offset, cutBytes: data.length - offset, reason: read.reason }, 'cutting torn tail of the journal');
      await truncateFile(file, offset, ctx.sync);
      truncatedAt = { fileId: id, offset };
      if (!last) {
        // Files created ahead and never written: appends continue in a fresh file after this one.
        await removeJournalFiles(dir, ids.slice(i + 1), ctx.sync);
        nextFileId = id + 1;
      }
      break;
    }
    if (truncatedAt !== undefined) break;
  }
  return { checkpoint, files, records, truncatedAt, nextFileId, oldestFileId };
}

/**
 * The first of these journal files that is longer than a header, if any. A file no longer than its
 * header holds no record: the journal never preallocates, it only appends.
 */
async function firstWrittenFile(dir: string, ids: number[]): Promise<string | undefined> {
  for (const id of ids) {
    const file = path.join(dir, journalFileName(id));
    if ((await fs.stat(file)).size > JOURNAL_HEADER_BYTES) return file;
  }
  return undefined;
}

/** The first offset at or after `from` where a plausible record starts, if any. */
function findPlausibleRecord(data: Buffer, from: number): number | undefined {
  for (let offset = from; offset < data.length; offset++) {
    if (isPlausibleRecordAt(data, offset)) return offset;
  }
  return undefined;
}

async function truncateFile(file: string, length: number, sync: SyncFunction): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.truncate(length);
    await sync(handle, 'file');
  } finally {
    await handle.close();
  }
}
