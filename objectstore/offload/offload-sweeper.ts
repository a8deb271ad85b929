// The sweeper: deletes objects under the offload prefix that no ledger metadata records and no live
// intent covers, once they are older than a minimum age — the orphans of crashed or failed attempts,
// and of ledgers deleted while their object deletion failed.
//
// Why the order of the checks matters: an offloader records its object and deletes its intent in one
// transaction. The sweeper reads the intent first and the ledger metadata second, so whichever side
// of that transaction its first read lands on, one of the two reads sees the object protected.
import { keys, type MetadataStore } from '../../metadata/index.js';
import { silentLogger, type Logger } from '../../common/index.js';
import type { ObjectStore } from '../object-store.js';
import { withRetries, type RetryOptions } from '../with-retries.js';
import { DEFAULT_OFFLOAD_PREFIX, checkOffloadPrefix, parseOffloadObjectKey } from './offload-object-key.js';
import { readLedger } from './offload-record.js';

export interface OffloadSweeperOptions {
  objects: ObjectStore;
  metadata: MetadataStore;
  /** The offloaders' prefix (default "offloaded-ledgers/"). */
  prefix?: string;
  /** Objects younger than this (by the store's last-modified time) are never deleted (default 1 h). */
  minAgeMs?: number;
  storeRetry?: RetryOptions;
  logger?: Logger;
}

export interface SweepResult {
  scanned: number;
  /** Recorded by their ledger's metadata. */
  recorded: number;
  /** Covered by a live intent (an upload or recording in progress). */
  inProgress: number;
  /** Younger than the minimum age. */
  young: number;
  /** Keys under the prefix that no offloader names this way: left alone. */
  foreign: number;
  deleted: string[];
}

export class OffloadSweeper {
  private readonly prefix: string;
  private readonly minAgeMs: number;
  private readonly retry: RetryOptions;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: OffloadSweeperOptions) {
    this.prefix = options.prefix ?? DEFAULT_OFFLOAD_PREFIX;
    checkOffloadPrefix(this.prefix);
    this.minAgeMs = options.minAgeMs ?? 60 * 60 * 1000;
    this.retry = options.storeRetry ?? { attempts: 3, backoff: { initialMs: 100, maxMs: 2000 } };
    this.log = options.logger ?? silentLogger;
  }

  /** One pass over every object under the prefix. */
  async sweep(now = Date.now()): Promise<SweepResult> {
    const result: SweepResult = { scanned: 0, recorded: 0, inProgress: 0, young: 0, foreign: 0, deleted: [] };
    for await (const object of this.options.objects.list(this.prefix)) {
      result.scanned++;
      const parsed = parseOffloadObjectKey(this.prefix, object.key);
      if (parsed === undefined) {
        result.foreign++;
        continue;
      }
      if (now - object.lastModified.getTime() < this.minAgeMs) {
        result.young++;
        continue;
      }
      // Intent first, metadata second (see the top of this file).
      if ((await this.options.metadata.get(keys.objectIntent(object.key))) !== undefined) {
        result.inProgress++;
        continue;
      }
      const ledger = await readLedger(this.options.metadata, parsed.ledgerId);
      if (ledger?.metadata.offload?.objectKey === object.key) {
        result.recorded++;
        continue;
      }
      await withRetries(() => this.options.objects.delete(object.key), this.retry);
      result.deleted.push(object.key);
      this.log.info({ objectKey: object.key, ledgerId: parsed.ledgerId }, 'swept an offloaded object no ledger records');
    }
    return result;
  }

  /** Sweeps every `intervalMs` until stop(); a failed pass is logged and the next one runs on time. */
  start(intervalMs: number): void {
    if (this.timer !== undefined || this.stopped) return;
    const tick = () => {
      this.running = this.sweep().then(
        (r) => this.log.debug({ ...r, deleted: r.deleted.length }, 'sweep done'),
        (err: unknown) => this.log.warn({ err }, 'sweep failed'),
      );
      void this.running.finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
