// The file-system steps that make the local store's writes survive a crash: complete writes, fsynced
// directories, and new directories whose entries are fsynced into their parents.
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** mkdir -p that also fsyncs the parents of every directory it created, so the new entries survive a crash. */
export async function ensureDir(dir: string): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = dir; ; d = path.dirname(d)) {
    await fsyncDir(path.dirname(d));
    if (d === first || path.dirname(d) === d) break;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await fh.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
