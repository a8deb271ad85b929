// Runs vitest with its JSON reporter beside the default one and ends with a plain closing line,
// "N passed, N failed", that CI reads; exits non-zero when anything failed or nothing ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const out = '.test-results/vitest.json';
fs.rmSync(out, { force: true });
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  // A suite that failed to load counts as a failure even when no test in it ran.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed++;
  }
} catch (err) {
  console.error(`could not read the test report ${out}: ${err.message}`);
  failed = Math.max(failed, 1);
}
const ok = run.status === 0 && failed === 0 && passed > 0;
if (!ok && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
