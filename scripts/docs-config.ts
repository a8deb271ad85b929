// `npm run docs:config`: writes the configuration reference, generated from cli/config/config-schema.ts,
// into README.md between its config markers (test/unit/cli/config-reference.test.ts fails when stale).
import fs from 'node:fs';
import { withConfigReference } from '../cli/config/index.js';

const file = new URL('../README.md', import.meta.url);
const before = fs.readFileSync(file, 'utf8');
const after = withConfigReference(before);
if (after === before) {
  console.log('README.md: configuration reference already up to date');
} else {
  fs.writeFileSync(file, after);
  console.log('README.md: configuration reference rewritten');
}
