// One connection from the client to a broker: connect and handshake, pipelined requests matched by requestId,
// heartbeats, and notices (MESSAGE, TOPIC_MOVED, ACTIVE_CONSUMER_CHANGE) routed to the producer or consumer
// they name. When the connection ends, every pending request fails with a retriable ConnectionError and every
// registered producer and consumer is told, so it can reconnect.
import net from 'node:net';
import tls from 'node:tls';
import {
  CONNECTION_REQUEST_ID,
  decodeCommand,
  decodeError,
  encodeCommand,
  FrameConnection,
  MIN_PROTOCOL_VERSION,
  PendingRequests,
  PROTOCOL_VERSION,
  Command,
  type ClientCommandName,
  type CommandValue,
  type DecodedCommand,
  type Frame,
} from '../protocol/index.js';
import { selfConnectError } from '../common/index.js';
import type { BrokerAddress } from './broker-url.js';
import { BrokerRequestError, ConnectionError, TimeoutError } from './errors.js';
import type { ClientLogger } from './client-logger.js';

/** What a producer or consumer attached to a connection is told. */
export interface AttachedHandler {
  onMessage?(v: CommandValue<'MESSAGE'>): void;
  onActiveChange?(active: boolean): void;
  /** The broker closed this producer/consumer (its partition moved): reattach after a lookup, at `binaryUrl` first if not ''. */
  onMoved(binaryUrl: string): void;
  /** The connection ended. */
  onDisconnect(error: Error): void;
}

export interface ClientConnectionOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  tls?: tls.ConnectionOptions;
  clientName: string;
  log: ClientLogger;
}

type Response = DecodedCommand;

export class ClientConnection {
  readonly closed: Promise<Error | undefined>;
  private readonly pending: PendingRequests<Response>;
  private readonly producers = new Map<number, AttachedHandler>();
  private readonly consumers = new Map<number, AttachedHandler>();
  private nextId = 1;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastReceived = Date.now();
  private lastSent = Date.now();
  brokerId = '';
  maxFrameSize = 0;

  private constructor(
    readonly address: BrokerAddress,
    private readonly conn: FrameConnection,
    options: ClientConnectionOptions,
  ) {
    this.pending = new PendingRequests<Response>({ timeoutMs: options.requestTimeoutMs, maxPending: 100_000 });
    this.closed = conn.closed.then((err) => {
      const error = new ConnectionError(`connection to ${address.url} closed${err ? `: ${err.message}` : ''}`, { cause: err });
      clearInterval(this.heartbeat);
      this.pending.failAll(error);
      for (const h of [...this.producers.values(), ...this.consumers.values()]) h.onDisconnect(error);
      this.producers.clear();
      this.consumers.clear();
      return err;
    });
  }

  /** Connects and completes the handshake (CONNECT → CONNECTED), or fails with a ConnectionError/BrokerRequestError. */
  static async open(address: BrokerAddress, options: ClientConnectionOptions): Promise<ClientConnection> {
    const socket = await connectSocket(address, options);
    const holder: { connection?: ClientConnection } = {};
    const conn = new FrameConnection(socket, { onFrame: (frame) => holder.connection!.onFrame(frame) });
    const connection = (holder.connection = new ClientConnection(address, conn, options));
    try {
      const res = await connection.request('CONNECT', { minVersion: MIN_PROTOCOL_VERSION, maxVersion: PROTOCOL_VERSION, clientName: options.clientName }, options.connectTimeoutMs);
      if (res.name !== 'CONNECTED') throw new ConnectionError(`${address.url} answered CONNECT with ${res.name}`);
      connection.brokerId = res.value.brokerId;
      connection.maxFrameSize = res.value.maxFrameSize;
      connection.startHeartbeat(res.value.heartbeatIntervalMs);
    } catch (err) {
      conn.destroy();
      throw err;
    }
    return connection;
  }

  get isOpen(): boolean {
    return this.conn.isOpen;
  }

  /** Sends a request and resolves with its response; an ERROR answer rejects with a BrokerRequestError. */
  async request<N extends ClientCommandName>(name: N, value: CommandValue<N>, timeoutMs?: number): Promise<Response> {
    if (!this.conn.isOpen) throw new ConnectionError(`connection to ${this.address.url} is closed`);
    const { requestId, response } = this.pending.register(timeoutMs);
    this.write(encodeCommand(name, requestId, value));
    try {
      return await response;
    } catch (err) {
      if ((err as { code?: string }).code === 'REQUEST_TIMEOUT') throw new TimeoutError(`${name} to ${this.address.url} got no answer`, { cause: err });
      throw err;
    }
  }

  /** Sends a notice (FLOW); dropped when the connection is closed (a reconnect grants permits again). */
  notify<N extends ClientCommandName>(name: N, value: CommandValue<N>): void {
    if (this.conn.isOpen) this.write(encodeCommand(name, 0, value));
  }

  /** False while the socket's buffer is above its high-water mark. */
  get writable(): boolean {
    return this.conn.writable;
  }

  drained(): Promise<void> {
    return this.conn.drained();
  }

  /** A client-chosen id for a producer or consumer, unique on this connection. */
  newId(): number {
    const id = this.nextId;
    this.nextId = (this.nextId % 0x7fffffff) + 1;
    return id;
  }

  attach(kind: 'producer' | 'consumer', id: number, handler: AttachedHandler): void {
    (kind === 'producer' ? this.producers : this.consumers).set(id, handler);
  }

  detach(kind: 'producer' | 'consumer', id: number): void {
    (kind === 'producer' ? this.producers : this.consumers).delete(id);
  }

  close(): void {
    this.conn.close();
  }

  private write(frame: Buffer[]): void {
    this.lastSent = Date.now();
    this.conn.send(frame);
  }

  private onFrame(frame: Frame): void {
    this.lastReceived = Date.now();
    if (frame.command === Command.ERROR) {
      const e = decodeError(frame);
      if (frame.requestId === CONNECTION_REQUEST_ID) {
        // The broker closes the connection after this: pending requests fail with its reason (e.g. UNSUPPORTED_VERSION).
        const error = new BrokerRequestError(e.code, e.message);
        this.pending.failAll(error);
        this.conn.destroy(error);
        return;
      }
      this.pending.reject(frame.requestId, new BrokerRequestError(e.code, e.message));
      return;
    }
    const command = decodeCommand(frame);
    switch (command.name) {
      case 'MESSAGE':
        this.consumers.get(command.value.consumerId)?.onMessage?.(command.value);
        return;
      case 'ACTIVE_CONSUMER_CHANGE':
        this.consumers.get(command.value.consumerId)?.onActiveChange?.(command.value.active);
        return;
      case 'TOPIC_MOVED': {
        const map = command.value.kind === 0 ? this.producers : this.consumers;
        const h = map.get(command.value.id);
        map.delete(command.value.id);
        h?.onMoved(command.value.binaryUrl);
        return;
      }
      case 'PING':
        this.write(encodeCommand('PONG', command.requestId, {}));
        return;
      default:
        this.pending.resolve(command.requestId, command);
    }
  }

  private startHeartbeat(intervalMs: number): void {
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReceived > 3 * intervalMs) {
        this.conn.destroy(new ConnectionError(`${this.address.url} sent nothing for ${now - this.lastReceived} ms`));
        return;
      }
      if (now - this.lastSent >= intervalMs) this.request('PING', {}).catch(() => undefined);
    }, intervalMs);
    this.heartbeat.unref();
  }
}

function connectSocket(address: BrokerAddress, options: ClientConnectionOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = address.tls
      ? tls.connect({ host: address.host, port: address.port, servername: net.isIP(address.host) ? undefined : address.host, ...options.tls })
      : net.connect({ host: address.host, port: address.port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect timed out after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
    socket.once(address.tls ? 'secureConnect' : 'connect', () => {
      const selfConnected = selfConnectError(socket);
      if (selfConnected) return socket.destroy(selfConnected);
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new ConnectionError(`cannot connect to ${address.url}: ${err.message}`, { cause: err }));
    });
  });
}
