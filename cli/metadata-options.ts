// Opening the metadata store that the cluster settings (--etcd, --etcd-namespace; cli/config) describe.
import type { MetadataStore } from '../metadata/index.js';

export interface MetadataSettings {
  etcd: string[];
  etcdNamespace: string;
}

/** Loaded on demand, so commands that never touch etcd (admin, produce, consume) start fast. */
export async function openMetadataStore(settings: MetadataSettings): Promise<MetadataStore> {
  const { EtcdMetadataStore } = await import('../metadata/etcd/index.js');
  return new EtcdMetadataStore({ endpoints: settings.etcd, namespace: settings.etcdNamespace });
}
