// One connection per bookie, opened on first use and again after it breaks; addresses come from the
// registry, so a bookie that restarts on another port is found again.
import { ConnectionClosedError } from '../../protocol/index.js';
import { BookieClient, type BookieClientOptions } from '../bookie-client/bookie-client.js';
import type { BookieRegistry } from './bookie-registry.js';

export class BookiePool {
  private readonly clients = new Map<string, { address: string; client: Promise<BookieClient> }>();
  private closed = false;

  constructor(
    private readonly registry: BookieRegistry,
    private readonly options: BookieClientOptions = {},
  ) {}

  /** A connected client for `bookieId`; rejects with ConnectionClosedError when it cannot be reached. */
  get(bookieId: string): Promise<BookieClient> {
    if (this.closed) return Promise.reject(new ConnectionClosedError('bookie pool is closed'));
    const address = this.registry.address(bookieId);
    const cached = this.clients.get(bookieId);
    if (cached && (address === undefined || cached.address === address)) {
      return cached.client.then((c) => (c.isOpen ? c : this.connect(bookieId, cached.address)));
    }
    if (address === undefined) return Promise.reject(new ConnectionClosedError(`bookie ${bookieId} is not registered`));
    return this.connect(bookieId, address);
  }

  private connect(bookieId: string, address: string): Promise<BookieClient> {
    const client = BookieClient.connect(address, this.options);
    const entry = { address, client };
    this.clients.set(bookieId, entry);
    client.catch(() => {
      if (this.clients.get(bookieId) === entry) this.clients.delete(bookieId);
    });
    return client;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((e) => e.client.then((c) => c.close()).catch(() => undefined)));
  }
}
