// Runs `strata …` (cli/main.ts) as a real process to completion, with optional standard input, and
// returns its exit code and output; killed by pid if it outlives its deadline.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { track } from './child-process-group.js';
import { repoRoot } from './node-child.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to standard input, which is then closed (default: closed at once). */
  input?: string;
  timeoutMs?: number;
}

export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_LOG_LEVEL: 'warn', ...options.env };
  // A STRATA_URL from the developer's shell must not leak into tests that rely on the default.
  if (options.env?.STRATA_URL === undefined) delete env.STRATA_URL;
  const child = track(spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.on('error', () => undefined); // the command may exit without reading its input
  child.stdin!.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  if (code === null) throw new Error(`strata ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`);
  return { code, stdout, stderr };
}
