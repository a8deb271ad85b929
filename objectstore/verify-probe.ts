// The write → read → delete round trip of every backend's verify(): proves at startup, not at the first
// offload, that the store accepts writes and returns the same bytes.
import { randomBytes } from 'node:crypto';
import { ObjectCorruptError } from './errors.js';
import type { ObjectStore } from './object-store.js';
import { isRetriable, withRetries } from './with-retries.js';

/** Probe objects live under this key prefix for the moment verify() runs, then are deleted. */
export const VERIFY_PROBE_PREFIX = '.strata-verify/';

export async function verifyProbe(store: Pick<ObjectStore, 'put' | 'get' | 'head' | 'delete'>, where: string): Promise<void> {
  const key = `${VERIFY_PROBE_PREFIX}${randomBytes(8).toString('hex')}`;
  const body = randomBytes(256);
  const checksum = body.subarray(0, 8).toString('hex');
  await store.put(key, body, { metadata: { probe: checksum } });
  let failure: unknown;
  try {
    const back = await store.get(key);
    if (!back.equals(body)) throw new ObjectCorruptError(`${where}: a probe object of ${body.length} bytes read back as ${back.length} different bytes`);
    const head = await store.head(key);
    if (head.size !== body.length || head.metadata.probe !== checksum) {
      throw new ObjectCorruptError(`${where}: a probe object's size or metadata read back wrong (${head.size} bytes, ${JSON.stringify(head.metadata)})`);
    }
  } catch (err) {
    failure = err;
  }
  try {
    await withRetries(() => store.delete(key), { attempts: 3, backoff: { initialMs: 50, maxMs: 500 } });
  } catch (err) {
    // The first failure is the one to report. A probe left behind is harmless, so a delete that still fails
    // transiently (a server busy with concurrent probes) does not fail the verification; a refusal does.
    if (failure === undefined && !isRetriable(err)) throw err;
  }
  if (failure !== undefined) throw failure;
}
