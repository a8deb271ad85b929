// A loopback TCP proxy in front of a bookie that reads the frames clients send and can act on them by
// command: reset the connection when one arrives (a request lost with its connection), or hold it and
// everything after it on that connection until released (a stalled link). Answers pass untouched.
import net from 'node:net';
import { LENGTH_PREFIX_SIZE } from '../../protocol/index.js';

interface ProxiedConnection {
  client: net.Socket;
  upstream: net.Socket;
  held: Buffer[];
}

export class FrameProxy {
  /** Frames received from clients, by command code (reset and held ones included). */
  readonly seen = new Map<number, number>();
  /** Connections reset because of `resetOn`. */
  resets = 0;
  private resetCommand: number | undefined;
  private holdCommand: number | undefined;
  private readonly connections = new Set<ProxiedConnection>();

  private constructor(private readonly server: net.Server) {}

  static async start(targetPort: number): Promise<FrameProxy> {
    const server = net.createServer();
    const proxy = new FrameProxy(server);
    server.on('connection', (client) => proxy.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Every frame with this command resets its connection (both sides) instead of being forwarded. */
  resetOn(command: number | undefined): void {
    this.resetCommand = command;
  }

  /** A frame with this command, and every frame after it on its connection, waits for release(). */
  holdFrom(command: number | undefined): void {
    this.holdCommand = command;
  }

  /** Frames waiting on every connection. */
  get heldFrames(): number {
    let n = 0;
    for (const c of this.connections) n += c.held.length;
    return n;
  }

  /** Stops holding and forwards what was held, in order. */
  release(): void {
    this.holdCommand = undefined;
    for (const c of this.connections) for (const frame of c.held.splice(0)) c.upstream.write(frame);
  }

  async close(): Promise<void> {
    for (const c of this.connections) {
      c.client.destroy();
      c.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const connection: ProxiedConnection = { client, upstream, held: [] };
    this.connections.add(connection);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.connections.delete(connection);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= LENGTH_PREFIX_SIZE + 2) {
        const size = LENGTH_PREFIX_SIZE + pending.readUInt32BE(0);
        if (pending.length < size) break;
        const frame = pending.subarray(0, size);
        pending = pending.subarray(size);
        const command = frame.readUInt16BE(LENGTH_PREFIX_SIZE);
        this.seen.set(command, (this.seen.get(command) ?? 0) + 1);
        if (command === this.resetCommand) {
          this.resets++;
          client.resetAndDestroy();
          drop();
          return;
        }
        if (connection.held.length > 0 || command === this.holdCommand) connection.held.push(Buffer.from(frame));
        else upstream.write(frame);
      }
    });
  }
}
