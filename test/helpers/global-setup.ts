// Vitest global setup: one long-lived etcd and one s3rver shared by every suite (each test uses its own
// key namespace or key prefix), killed by pid when the run ends. Suites that kill or pause a server start their own.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { EtcdCluster } from './etcd-server.js';
import { S3RVER_CREDENTIALS, S3RVER_REGION, S3Server, TEST_BUCKET } from './s3-server.js';

export interface SharedS3 {
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    etcdEndpoints: string[];
    s3Endpoint: string;
    s3: SharedS3;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The S3 SDK warns once per process that its 2027 releases need Node 22; known, and noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [etcd, s3] = await Promise.allSettled([EtcdCluster.start(), S3Server.start({ buckets: [TEST_BUCKET] })]);
  if (etcd.status === 'rejected' || s3.status === 'rejected') {
    if (etcd.status === 'fulfilled') await etcd.value.destroy();
    if (s3.status === 'fulfilled') await s3.value.destroy();
    throw etcd.status === 'rejected' ? etcd.reason : (s3 as PromiseRejectedResult).reason;
  }
  project.provide('etcdEndpoints', etcd.value.endpoints);
  project.provide('s3Endpoint', s3.value.endpoint);
  project.provide('s3', { bucket: TEST_BUCKET, region: S3RVER_REGION, credentials: { ...S3RVER_CREDENTIALS } });
  return async () => {
    await Promise.all([etcd.value.destroy(), s3.value.destroy()]);
  };
}
