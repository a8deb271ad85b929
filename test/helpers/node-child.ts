// Runs a TypeScript entry point of this repository as a real child process and reads its stdout lines.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { track } from './child-process-group.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface NodeChild {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnTs(entry: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): NodeChild {
  const child = track(
    spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.resolve(repoRoot, entry), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const l of listeners) l();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    lines,
    stderr: () => stderr,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find((l) => pattern.test(l));
          if (found !== undefined) {
            cleanup();
            resolve(found);
          }
        };
        const onExit = () => {
          cleanup();
          reject(new Error(`${entry} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}: ${stderr}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${entry} did not print ${pattern} within ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, signal);
      await exited;
    },
  };
}
