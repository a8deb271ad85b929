// The raw disk beside bench:bookie: plain Node write + fdatasync loops, run in the same process and
// the same minute as the bookie phases they are compared with.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { removeGradually } from '../../bookie/index.js';
import { LatencySamples } from './histogram.js';

const MB = 1e6;

/**
 * Bandwidth: entries appended in batches of up to `batchBytes`, one writev + fdatasync per batch, for
 * `seconds` (a shorter burst lands in the host's caches and reads up to 1.5 × faster here).
 */
export async function rawBandwidth(dir: string, entrySize: number, batchBytes: number, seconds: number): Promise<{ mbps: number; sync: LatencySamples }> {
  const file = path.join(dir, `raw-${entrySize}.log`);
  const handle = await fs.open(file, 'w');
  const entry = randomBytes(entrySize);
  const perBatch = Math.max(1, Math.floor(batchBytes / entrySize));
  const batch = Array.from({ length: perBatch }, () => entry);
  const sync = new LatencySamples();
  let bytes = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const t = performance.now();
    await handle.writev(batch);
    await handle.datasync();
    sync.add(performance.now() - t);
    bytes += perBatch * entrySize;
  }
  const elapsed = (performance.now() - start) / 1000;
  await handle.close();
  await removeGradually(file); // a GiB unlinked at once stalls the disk (online discard) into the next phase
  return { mbps: bytes / elapsed / MB, sync };
}

/** Latency of one entry: write + fdatasync, one at a time, for `seconds` or `syncs` round trips. */
export async function rawSyncLatency(dir: string, entrySize: number, until: { seconds: number } | { syncs: number }): Promise<LatencySamples> {
  const file = path.join(dir, `raw-lat-${entrySize}.log`);
  const handle = await fs.open(file, 'w');
  const entry = randomBytes(entrySize);
  const samples = new LatencySamples();
  const end = 'seconds' in until ? performance.now() + until.seconds * 1000 : Infinity;
  const syncs = 'syncs' in until ? until.syncs : Infinity;
  try {
    while (performance.now() < end && samples.count < syncs) {
      const t = performance.now();
      await handle.write(entry);
      await handle.datasync();
      samples.add(performance.now() - t);
    }
  } finally {
    await handle.close();
    await removeGradually(file);
  }
  return samples;
}

/**
 * The disk alone at a bookie's load: entries arrive at `perSecond`; one loop writes every entry that
 * has arrived (up to `batchBytes` at a time) while another fdatasyncs whatever has been written, one
 * sync at a time — the journal's group commit, without a bookie around it. An entry's latency runs
 * from its arrival to the end of the sync that covers it. With `entryLogStream`, a second file is
 * written at the same byte rate in 1 MiB writes with an fdatasync every 4 MiB, as the bookie writes
 * its entry logs beside the journal.
 */
export async function rawGroupCommitAtRate(
  dir: string,
  options: { entrySize: number; perSecond: number; seconds: number; batchBytes: number; entryLogStream: boolean },
): Promise<LatencySamples> {
  const { entrySize, perSecond, seconds, batchBytes, entryLogStream } = options;
  const journalFile = path.join(dir, 'raw-journal.log');
  const logFile = path.join(dir, 'raw-entrylog.log');
  const entry = randomBytes(entrySize);
  const perBatch = Math.max(1, Math.floor(batchBytes / entrySize));
  const total = Math.floor(perSecond * seconds);
  const latency = new LatencySamples();
  const start = performance.now();
  /** Entry i has arrived once (i + 1) entries are due. */
  const arrival = (i: number) => start + ((i + 1) * 1000) / perSecond;
  const arrived = () => Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond));
  let written = 0;
  let failed = false;
  const journal = await fs.open(journalFile, 'w');
  const writes = (async () => {
    while (written < total && !failed) {
      const count = Math.min(arrived() - written, perBatch);
      if (count <= 0) await new Promise((r) => setImmediate(r));
      else {
        await journal.writev(Array.from({ length: count }, () => entry));
        written += count;
      }
    }
  })();
  const syncs = (async () => {
    let synced = 0;
    while (synced < total && !failed) {
      const upTo = written;
      if (upTo === synced) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await journal.datasync();
      const done = performance.now();
      for (let i = synced; i < upTo; i++) latency.add(done - arrival(i));
      synced = upTo;
    }
  })();
  const done = () => failed || arrived() >= total;
  const second = entryLogStream ? writeAtRate(logFile, (perSecond * entrySize) / MB, done) : Promise.resolve();
  try {
    const results = await Promise.allSettled([writes, syncs, second].map((p) => p.catch((err: unknown) => ((failed = true), Promise.reject(err)))));
    const rejected = results.find((r) => r.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
  } finally {
    await journal.close();
    await removeGradually(journalFile);
    if (entryLogStream) await removeGradually(logFile).catch(() => undefined);
  }
  return latency;
}

/** Writes `mbPerSecond` to a file in 1 MiB writes, fdatasync every 4 MiB, until `done()`. */
async function writeAtRate(file: string, mbPerSecond: number, done: () => boolean): Promise<void> {
  const handle = await fs.open(file, 'w');
  const chunk = randomBytes(1024 * 1024);
  const start = performance.now();
  let chunks = 0;
  try {
    while (!done()) {
      const due = (((performance.now() - start) / 1000) * mbPerSecond * MB) / chunk.length;
      if (chunks >= due) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      await handle.write(chunk);
      if (++chunks % 4 === 0) await handle.datasync();
    }
  } finally {
    await handle.close();
  }
}
