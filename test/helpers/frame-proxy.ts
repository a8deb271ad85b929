// A loopback TCP proxy in front of a bookie that reads the frames in both directions and can act on a
// client's frames by command: reset the connection when one arrives (a request lost with its
// connection), or hold it and everything after it on that connection until released (a stalled link).
// Frames are parsed with the protocol's own parser; a malformed one closes its connection.
import net from 'node:net';
import { FrameParser, encodeFrameToBuffer, type Frame } from '../../protocol/index.js';

interface ProxiedConnection {
  client: net.Socket;
  upstream: net.Socket;
  held: Buffer[];
}

export class FrameProxy {
  /** Frames the bookie answered with, by command code. */
  readonly answered = new Map<number, number>();
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
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Every client frame with this command resets its connection (both sides) instead of being forwarded. */
  resetOn(command: number | undefined): void {
    this.resetCommand = command;
  }

  /** A client frame with this command, and every frame after it on its connection, waits for release(). */
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
    const fromClient = new FrameParser();
    const fromBookie = new FrameParser();
    client.on('data', (chunk: Buffer) => {
      for (const frame of parse(fromClient, chunk, drop)) {
        if (frame.command === this.resetCommand) {
          this.resets++;
          client.resetAndDestroy();
          drop();
          return;
        }
        const bytes = reencode(frame);
        if (connection.held.length > 0 || frame.command === this.holdCommand) connection.held.push(bytes);
        else upstream.write(bytes);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of parse(fromBookie, chunk, drop)) {
        this.answered.set(frame.command, (this.answered.get(frame.command) ?? 0) + 1);
        client.write(reencode(frame));
      }
    });
  }
}

function parse(parser: FrameParser, chunk: Buffer, onMalformed: () => void): Frame[] {
  try {
    return parser.push(chunk);
  } catch {
    onMalformed();
    return [];
  }
}

function reencode(frame: Frame): Buffer {
  return encodeFrameToBuffer(frame.command, frame.flags, frame.requestId, [frame.body]);
}
