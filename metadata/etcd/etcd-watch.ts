// A prefix watch on etcd that resumes without gaps: it tracks the next revision itself from the
// events it delivered, and after a compaction (or any cancel) it re-lists and continues from there.
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { Backoff } from '../../common/index.js';
import type { ListResult, Revision, WatchOptions } from '../metadata-store.js';
import { WatchQueue } from '../watch-queue.js';

export class EtcdWatch {
  readonly queue: WatchQueue;
  private watcher: Watcher | undefined;
  /** The next revision this watch must deliver; undefined until the first watch is established. */
  private next: Revision | undefined;
  private closed = false;
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 5000 });

  constructor(
    private readonly client: Etcd3,
    private readonly physicalPrefix: string,
    private readonly toLogicalKey: (key: Buffer) => string,
    relist: () => Promise<ListResult>,
    options: WatchOptions,
    private readonly onClosed: () => void,
  ) {
    this.queue = new WatchQueue(relist, () => this.stop());
    this.next = options.fromRevision;
    this.open();
  }

  private open(): void {
    if (this.closed) return;
    const builder = this.client.watch().prefix(this.physicalPrefix);
    if (this.next !== undefined) builder.startRevision(String(this.next));
    const watcher = builder.watcher();
    this.watcher = watcher;
    // etcd3 resumes a broken stream from the last *header* revision + 1, which can skip events that
    // were not delivered yet; after its own handler runs, pin the resume point to what we delivered.
    const pin = () => {
      if (this.next !== undefined) (watcher as unknown as { request: { start_revision: string } }).request.start_revision = String(this.next);
    };
    watcher.on('connected', (res: IWatchResponse) => {
      this.backoff.reset();
      if (this.next === undefined) this.next = Number(res.header.revision) + 1;
      pin();
    });
    watcher.on('data', (res: IWatchResponse) => {
      for (const ev of res.events) this.deliver(ev.type, ev.kv);
      pin();
    });
    watcher.on('error', () => this.restartFromListing());
  }

  private deliver(type: string, kv: IKeyValue): void {
    const version = Number(kv.mod_revision);
    if (this.next !== undefined && version < this.next) return; // already delivered before a resume
    this.next = version + 1;
    const key = this.toLogicalKey(kv.key);
    if (type === 'Put') {
      this.queue.push({ type: 'put', key, value: kv.value, version, createRevision: Number(kv.create_revision) });
    } else {
      this.queue.push({ type: 'delete', key, version });
    }
  }

  /** The history is gone (compacted) or the watch was cancelled: deliver a reset, then go on after it. */
  private restartFromListing(): void {
    const old = this.watcher;
    this.watcher = undefined;
    void old?.cancel().catch(() => undefined);
    if (this.closed) return;
    const wait = this.backoff.next();
    setTimeout(() => {
      if (this.closed) return;
      this.queue.overflow((revision) => {
        this.next = revision + 1;
        this.open();
      });
    }, wait).unref();
  }

  private async stop(): Promise<void> {
    this.closed = true;
    this.onClosed();
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel().catch(() => undefined);
  }
}
