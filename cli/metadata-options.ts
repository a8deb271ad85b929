// The metadata-store options every cluster process takes, and opening the store they describe.
import { Option, type Command } from 'commander';
import { EtcdMetadataStore, type MetadataStore } from '../metadata/index.js';

export interface MetadataOptions {
  etcd?: string;
  etcdNamespace: string;
}

export function addMetadataOptions(command: Command): Command {
  return command
    .addOption(new Option('--etcd <endpoints>', 'comma-separated etcd client URLs, e.g. http://127.0.0.1:2379').env('STRATA_ETCD_ENDPOINTS'))
    .addOption(new Option('--etcd-namespace <prefix>', 'key prefix of this cluster in etcd').env('STRATA_ETCD_NAMESPACE').default('/strata'));
}

export function openMetadataStore(opts: MetadataOptions): MetadataStore {
  if (!opts.etcd) throw new Error('no metadata store: pass --etcd http://host:port (or set STRATA_ETCD_ENDPOINTS)');
  const endpoints = opts.etcd.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of endpoints) {
    if (!/^https?:\/\/[^/\s]+$/.test(e)) throw new Error(`--etcd: ${JSON.stringify(e)} is not an http(s)://host:port URL`);
  }
  return new EtcdMetadataStore({ endpoints, namespace: opts.etcdNamespace });
}
