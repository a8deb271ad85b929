// The cli part: the `strata` command (entry point cli/main.ts).
export { runStandalone, type StandaloneOptions } from './standalone.js';
