// Vitest global setup: one long-lived etcd shared by every suite (each test uses its own key
// namespace), killed by pid when the run ends. Suites that kill or pause etcd start their own.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { EtcdCluster } from './etcd-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    etcdEndpoints: string[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const etcd = await EtcdCluster.start();
  project.provide('etcdEndpoints', etcd.endpoints);
  return async () => {
    await etcd.destroy();
  };
}
