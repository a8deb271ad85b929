// The `strata cluster` part of the command line: a local cluster of processes on loopback.
export { clusterCommand } from './cluster-command.js';
