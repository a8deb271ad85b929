// Keeps two processes from opening one embedded store: a lock file holding the owner's pid.
// A lock left by a process that no longer runs (kill -9) is taken over.
import fs from 'node:fs/promises';
import { StrataError } from '../../common/index.js';

export class StoreLockedError extends StrataError {
  readonly code = 'STORE_LOCKED';
  readonly retriable = false;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ProcessLock {
  private constructor(private readonly path: string) {}

  static async acquire(path: string): Promise<ProcessLock> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await fs.open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return new ProcessLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = Number((await fs.readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid)) {
        throw new StoreLockedError(`${path} is held by running process ${pid}; only one process may open this data directory`);
      }
      if (pid === process.pid) throw new StoreLockedError(`${path} is already open in this process`);
      await fs.rm(path, { force: true });
    }
    throw new StoreLockedError(`could not acquire ${path}`);
  }

  async release(): Promise<void> {
    await fs.rm(this.path, { force: true });
  }
}
