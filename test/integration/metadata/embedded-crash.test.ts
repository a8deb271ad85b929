// The embedded store in a child process killed with kill -9 mid-stream: every acknowledged write is
// there after reopening, and keys bound to the dead process's sessions are gone.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedMetadataStore } from '../../../metadata/index.js';
import { spawnTs } from '../../helpers/node-child.js';

describe('embedded store crash', () => {
  it('keeps every acknowledged write after kill -9 and drops the dead session keys', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-embedded-crash-'));
    try {
      for (let round = 0; round < 2; round++) {
        const child = spawnTs('test/helpers/metadata-child.ts', [JSON.stringify({ backend: 'embedded', dir, mode: 'write-loop' })]);
        await child.waitForLine(/^ready$/);
        await child.waitForLine(new RegExp(`^acked ${200 + round * 100}$`));
        await child.kill('SIGKILL');
        const acked = child.lines.filter((l) => l.startsWith('acked ')).map((l) => Number(l.slice(6)));
        const last = acked[acked.length - 1]!;
        expect(acked).toEqual(Array.from({ length: last + 1 }, (_, i) => i));
        const store = await EmbeddedMetadataStore.open(dir);
        expect(await store.get('/loop/bound')).toBeUndefined();
        for (let i = 0; i <= last; i++) {
          expect((await store.get(`/loop/k${i}`))?.value.toString()).toBe(`v${i}`);
          expect((await store.get(`/loop/t${i}`))?.value.toString()).toBe(`t${i}`);
        }
        // Clear the loop's keys so the next round's create-if-absent transactions start fresh.
        const { entries } = await store.list('/loop/');
        await store.txn({ compares: [], ops: entries.map((e) => ({ type: 'delete' as const, key: e.key })) });
        await store.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
