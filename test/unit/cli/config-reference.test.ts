// README.md's configuration table is the one generated from the settings schema (`npm run docs:config`).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { END_MARKER, SETTINGS, START_MARKER, renderConfigReference, withConfigReference } from '../../../cli/config/index.js';
import { repoRoot } from '../../helpers/node-child.js';

describe('configuration reference', () => {
  it('in README.md is up to date with the schema (run `npm run docs:config` if not)', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme.split(START_MARKER)).toHaveLength(2);
    expect(withConfigReference(readme), 'README.md is stale: run `npm run docs:config`').toBe(readme);
  });

  it('has one row per setting, with its flag, variable and default', () => {
    const rows = renderConfigReference().split('\n').filter((l) => l.startsWith('| `--'));
    expect(rows).toHaveLength(SETTINGS.length);
    expect(rows).toContain('| `--http-port` | `STRATA_HTTP_PORT` | `8080` | port (0-65535) | standalone, broker | HTTP API port (0 = any free one) |');
  });

  it('replaces only the block between the markers', () => {
    const doc = `# T\nbefore\n${START_MARKER}\nold\n${END_MARKER}\nafter\n`;
    const out = withConfigReference(doc);
    expect(out.startsWith(`# T\nbefore\n${START_MARKER}\n<!-- Generated`)).toBe(true);
    expect(out.endsWith(`\n${END_MARKER}\nafter\n`)).toBe(true);
    expect(withConfigReference(out)).toBe(out);
    expect(() => withConfigReference('# no markers')).toThrow(/no <!-- config:start -->/);
  });
});
