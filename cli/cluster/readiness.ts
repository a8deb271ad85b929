// When a process of a local cluster counts as ready — docker-compose.yml's health checks, plus a bookie's
// registration (what writers look for): etcd's /health, the bucket on the S3 server, a bookie's /healthz and
// its key in etcd, a broker's /readyz.
import type { MetadataStore } from '../../metadata/index.js';
import type { ProcessRecord } from './cluster-file.js';

export interface Probe {
  /** What is awaited, for the message when it does not come. */
  what: string;
  ready(): Promise<boolean>;
}

const PROBE_TIMEOUT_MS = 2000;

async function httpOk(url: string, method = 'GET', accept?: (body: string) => boolean): Promise<boolean> {
  const res = await fetch(url, { method, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const body = await res.text();
  return res.ok && (accept === undefined || accept(body));
}

/** `store` opens the cluster's metadata store on first use (bookies only; etcd is ready by then). */
export function probeFor(record: ProcessRecord, store: () => Promise<MetadataStore>): Probe {
  switch (record.role) {
    case 'etcd':
      return { what: `${record.clientUrl}/health`, ready: () => httpOk(`${record.clientUrl}/health`, 'GET', (b) => (JSON.parse(b) as { health?: string }).health === 'true') };
    case 's3':
      return { what: `bucket ${record.bucket} at ${record.endpoint}`, ready: () => httpOk(`${record.endpoint}/${record.bucket}`, 'HEAD') };
    case 'bookie': {
      const healthz = record.metricsUrl.replace(/\/metrics$/, '/healthz');
      return {
        what: `${healthz} and its registration in etcd`,
        ready: async () => {
          if (!(await httpOk(healthz))) return false;
          const { keys, parseJson } = await import('../../metadata/index.js');
          const entry = await (await store()).get(keys.bookie(record.id));
          // A registration of an earlier run may linger until its lease expires: only ours counts.
          return entry !== undefined && parseJson<{ address?: string }>(entry.value).address === record.address;
        },
      };
    }
    case 'broker':
      return { what: `${record.httpUrl}/readyz`, ready: () => httpOk(`${record.httpUrl}/readyz`) };
  }
}
