#!/usr/bin/env node
// The `strata` command: runs the compiled CLI (build with `npm run build`).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('strata: not built yet; run `npm install` (or `npm run build`) in the Strata directory first');
    process.exit(1);
  }
  throw err;
});
