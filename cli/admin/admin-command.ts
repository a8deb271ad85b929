// `strata admin`: topics, cluster state, rebalance, drain and auto-recovery status over the HTTP API of any broker (or standalone).
import { Command } from 'commander';
import { autoRecoveryCommand } from './auto-recovery-command.js';
import { clusterCommands } from './cluster-commands.js';
import { placementCommands } from './placement-commands.js';
import { topicsCommand } from './topics-command.js';

export function adminCommand(): Command {
  const admin = new Command('admin').description('administer topics and inspect the cluster over the HTTP API (--url, STRATA_URL)');
  admin.addCommand(topicsCommand());
  for (const cmd of clusterCommands()) admin.addCommand(cmd);
  for (const cmd of placementCommands()) admin.addCommand(cmd);
  admin.addCommand(autoRecoveryCommand());
  return admin;
}
