// The broker's binary protocol listener (TCP, or TLS when a certificate is configured): one ClientSession per
// connection; a bad connection never affects another.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../common/index.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../../protocol/index.js';
import type { BinaryBrokerApi } from './binary-broker-api.js';
import { ClientSession, type BinaryMetrics } from './client-session.js';

export interface BinaryServerOptions {
  host: string;
  port: number;
  /** TLS options (key, cert, …); plain TCP when absent. */
  tls?: tls.TlsOptions;
  heartbeatIntervalMs?: number;
  maxFrameSize?: number;
  maxInFlightSends?: number;
  metrics: BinaryMetrics;
  log: Logger;
}

export class BinaryServer {
  private constructor(
    private readonly server: net.Server,
    readonly tls: boolean,
    private readonly sessions: Set<ClientSession>,
  ) {}

  static async start(api: BinaryBrokerApi, options: BinaryServerOptions): Promise<BinaryServer> {
    const sessionOptions = {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 30_000,
      maxFrameSize: options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      maxInFlightSends: options.maxInFlightSends ?? 1000,
      metrics: options.metrics,
      log: options.log,
    };
    const sessions = new Set<ClientSession>();
    const onConnection = (socket: net.Socket) => {
      const session = new ClientSession(socket, api, sessionOptions);
      sessions.add(session);
      void session.closed.then(() => sessions.delete(session));
    };
    const server = options.tls ? tls.createServer(options.tls, onConnection) : net.createServer(onConnection);
    const binary = new BinaryServer(server, options.tls !== undefined, sessions);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => options.log.error({ err }, 'binary listener error'));
    return binary;
  }

  get address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions) s.close();
    await Promise.all([...this.sessions].map((s) => s.closed));
    await closed;
  }
}
