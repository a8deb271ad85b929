// The live bookies, as registered under /bookies/{id} (bound to each bookie's session): a listing
// kept current by a watch. Writers pick ensembles from it; clients resolve bookie ids to addresses.
import { keys, parseJson, type MetadataStore, type Watch } from '../../metadata/index.js';
import { waitFor, type Logger } from '../../common/index.js';

export interface BookieInfo {
  id: string;
  address: string;
}

export class BookieRegistry {
  private readonly bookies = new Map<string, BookieInfo>();
  private watch: Watch | undefined;
  private loop: Promise<void> | undefined;

  private constructor(private readonly store: MetadataStore, private readonly log?: Logger) {}

  static async start(store: MetadataStore, log?: Logger): Promise<BookieRegistry> {
    const registry = new BookieRegistry(store, log);
    const { entries, revision } = await store.list(keys.bookies);
    for (const e of entries) registry.set(e.key, e.value);
    registry.watch = store.watch(keys.bookies, { fromRevision: revision + 1 });
    registry.loop = registry.follow(registry.watch);
    return registry;
  }

  private set(key: string, value: Buffer): void {
    const id = key.slice(keys.bookies.length);
    try {
      const { address } = parseJson<{ address: string }>(value);
      this.bookies.set(id, { id, address });
    } catch {
      this.log?.warn({ key }, 'ignoring a malformed bookie registration');
    }
  }

  private async follow(watch: Watch): Promise<void> {
    try {
      for await (const ev of watch) {
        if (ev.type === 'put') this.set(ev.key, ev.value);
        else if (ev.type === 'delete') this.bookies.delete(ev.key.slice(keys.bookies.length));
        else {
          this.bookies.clear();
          for (const e of ev.entries) this.set(e.key, e.value);
        }
      }
    } catch (err) {
      this.log?.error({ err }, 'bookie registry watch ended');
    }
  }

  /** Ids of the bookies registered now. */
  live(): string[] {
    return [...this.bookies.keys()];
  }

  isLive(id: string): boolean {
    return this.bookies.has(id);
  }

  address(id: string): string | undefined {
    return this.bookies.get(id)?.address;
  }

  /** Waits until at least `count` bookies are registered. */
  async waitForBookies(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(`${count} registered bookies`, () => this.bookies.size >= count, { timeoutMs, intervalMs: 50 });
  }

  async close(): Promise<void> {
    await this.watch?.close();
    await this.loop;
  }
}
