// Standalone's options: a taken port is a clear error and a non-zero exit; flags win over STRATA_*.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/index.js';
import { freePort } from '../../helpers/free-port.js';
import { spawnTs } from '../../helpers/node-child.js';

describe('standalone options', () => {
  it('exits non-zero with a clear message when the HTTP port is taken', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-sa-port-'));
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const child = spawnTs('cli/main.ts', ['standalone', '--data-dir', dir, '--http-port', String(port), '--binary-port', '0'], { STRATA_LOG_LEVEL: 'error' });
      const code = await new Promise<number | null>((r) => child.process.once('exit', r));
      expect(code).toBe(1);
      expect(child.stderr()).toMatch(new RegExp(`port 127.0.0.1:${port} is already in use`));
    } finally {
      blocker.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('takes STRATA_DATA_DIR and STRATA_HTTP_PORT from the environment, and flags over them', async () => {
    const envDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-sa-env-'));
    const [envPort, flagPort] = [await freePort(), await freePort()];
    const child = spawnTs('cli/main.ts', ['standalone', '--http-port', String(flagPort)], { STRATA_LOG_LEVEL: 'error', STRATA_BINARY_PORT: '0', STRATA_DATA_DIR: envDir, STRATA_HTTP_PORT: String(envPort) });
    try {
      await waitFor('ready on the flag port', async () => (await fetch(`http://127.0.0.1:${flagPort}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, intervalMs: 100 });
      expect(await fetch(`http://127.0.0.1:${envPort}/readyz`).then(() => 'answered', () => 'refused')).toBe('refused');
      expect((await fs.readdir(envDir)).sort()).toEqual(['bookie', 'metadata', 'objects']);
      // SIGTERM shuts down cleanly.
      child.process.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.process.once('exit', r));
      expect(code).toBe(0);
    } finally {
      await child.kill('SIGKILL');
      await fs.rm(envDir, { recursive: true, force: true });
    }
  });
});
