// Finds what a local cluster runs — etcd on the PATH, s3rver among the installed packages, and this very
// `strata` (from source through tsx, or built) — before anything starts, with a clear message for what is missing.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingToolError } from './cluster-errors.js';
import type { Runtime } from './cluster-plan.js';

export interface ResolvedRuntime extends Runtime {
  /** The working directory of the processes: the repository (or package) root, where `tsx` resolves. */
  cwd: string;
}

export function resolveRuntime(): ResolvedRuntime {
  const here = fileURLToPath(import.meta.url);
  const cliDir = path.resolve(path.dirname(here), '..');
  const fromSource = here.endsWith('.ts');
  return {
    node: process.execPath,
    strata: fromSource ? ['--import', 'tsx', path.join(cliDir, 'main.ts')] : [path.join(cliDir, 'main.js')],
    // cli/ in the repository; dist/cli/ when built.
    cwd: fromSource ? path.dirname(cliDir) : path.resolve(cliDir, '../..'),
    etcd: findEtcd(),
    s3rver: findS3rver(),
  };
}

function findEtcd(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'etcd');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw new MissingToolError('etcd is not on the PATH: install it (Debian/Ubuntu: apt-get install etcd-server) or put an etcd 3.4+ binary on the PATH');
}

/** s3rver's executable script; a development dependency of Strata, so absent from a production install. */
function findS3rver(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve('s3rver/package.json');
    const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
    const script = typeof bin === 'string' ? bin : bin?.s3rver;
    if (script) return path.resolve(path.dirname(manifest), script);
  } catch {
    // reported below
  }
  throw new MissingToolError('s3rver (the local S3 server) is not installed: run `npm install` in the Strata repository (it is a development dependency), or `npm install s3rver`');
}
