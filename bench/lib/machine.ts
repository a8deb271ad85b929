// What a benchmark ran on: printed at the top of every benchmark's output.
import os from 'node:os';
import fs from 'node:fs';

export function machineSummary(dataDir?: string): string {
  const cpus = os.cpus();
  let disk = '';
  if (dataDir) {
    const s = fs.statfsSync(dataDir);
    disk = `, data dir ${dataDir} (${((Number(s.bavail) * Number(s.bsize)) / 2 ** 30).toFixed(0)} GiB free)`;
  }
  return `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, node ${process.version}${disk}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}
