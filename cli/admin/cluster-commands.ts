// `strata admin brokers|bookies|ownership|load`: who is in the cluster, who owns which partition, and each
// broker's load as the load manager sees it.
import type { Command } from 'commander';
import { clientFor, httpToolCommand, print, printJson, type HttpToolOptions } from '../http-tool-command.js';
import { textTable } from '../text-table.js';

interface Listing<T> {
  name: string;
  description: string;
  /** The admin route, and the field of its answer that holds the list. */
  path: string;
  field: string;
  headers: string[];
  row: (item: T) => Array<string | number>;
  empty: string;
}

function listingCommand<T>(listing: Listing<T>): Command {
  return httpToolCommand(listing.name, 'admin', listing.description).action(async (opts: HttpToolOptions) => {
    const { body } = await clientFor('admin', opts).request<Record<string, T[] | undefined>>('GET', listing.path, undefined, { retry: true });
    if (opts.json) return printJson(body);
    const items = body[listing.field] ?? [];
    await print(items.length === 0 ? `${listing.empty}\n` : textTable(listing.headers, items.map(listing.row)));
  });
}

export function clusterCommands(): Command[] {
  return [
    listingCommand<{ id: string; httpUrl: string; partitions: number }>({
      name: 'brokers',
      description: 'the live brokers, their URLs and how many partitions each owns',
      path: '/admin/v1/brokers',
      field: 'brokers',
      headers: ['ID', 'HTTP URL', 'PARTITIONS'],
      row: (b) => [b.id, b.httpUrl, b.partitions],
      empty: 'no live brokers',
    }),
    listingCommand<{ id: string; address: string }>({
      name: 'bookies',
      description: 'the live bookies and their addresses',
      path: '/admin/v1/bookies',
      field: 'bookies',
      headers: ['ID', 'ADDRESS'],
      row: (b) => [b.id, b.address],
      empty: 'no live bookies',
    }),
    listingCommand<{ topic: string; partition: number; broker: string }>({
      name: 'ownership',
      description: 'which broker owns each loaded partition',
      path: '/admin/v1/ownership',
      field: 'ownership',
      headers: ['TOPIC', 'PARTITION', 'BROKER'],
      row: (o) => [o.topic, o.partition, o.broker],
      empty: 'no partition is owned',
    }),
    listingCommand<{ brokerId: string; partitions: number; msgRateIn: number; msgRateOut: number; bytesRateIn: number; cpu: number; draining: boolean }>({
      name: 'load',
      description: "each live broker's latest load report (the leader's placement and shedding use them)",
      path: '/admin/v1/load',
      field: 'brokers',
      headers: ['BROKER', 'PARTITIONS', 'MSG/S IN', 'MSG/S OUT', 'BYTES/S IN', 'CPU', 'DRAINING'],
      row: (b) => [b.brokerId, b.partitions, b.msgRateIn, b.msgRateOut, b.bytesRateIn, b.cpu, b.draining ? 'yes' : 'no'],
      empty: 'no load reports',
    }),
  ];
}
