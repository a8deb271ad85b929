// One pipelined connection to one bookie: requests carry ids, answers may come in any order, and a
// lost connection fails everything in flight (the ledger client decides what to retry where).
import net from 'node:net';
import {
  Command, ConnectionClosedError, FrameConnection, PendingRequests, RemoteError, decodeAddEntryResponse, decodeDeleteLedgerResponse,
  decodeError, decodeFenceResponse, decodeInfoResponse, decodeReadEntryResponse, decodeReadLacResponse, encodeAddEntry,
  encodeDeleteLedger, encodeFence, encodeInfo, encodeReadEntry, encodeReadLac, type AddEntryInput, type AddEntryResponse,
  type DeleteLedgerResponse, type Frame, type InfoResponse, type LacResponse, type ReadEntryRequest, type ReadEntryResponse,
} from '../../protocol/index.js';
import { selfConnectError, withTimeout } from '../../common/index.js';

export interface BookieClientOptions {
  connectTimeoutMs?: number;
  /** Default timeout of one request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Requests in flight at most; more are refused with TooManyPendingRequestsError. Default 10,000. */
  maxPending?: number;
}

export class BookieClient {
  private readonly pending: PendingRequests<Frame>;
  private readonly connection: FrameConnection;

  private constructor(
    readonly address: string,
    socket: net.Socket,
    options: BookieClientOptions,
  ) {
    this.pending = new PendingRequests<Frame>({ timeoutMs: options.requestTimeoutMs ?? 10_000, maxPending: options.maxPending ?? 10_000 });
    this.connection = new FrameConnection(socket, { onFrame: (frame) => this.onFrame(frame) });
    void this.connection.closed.then((err) => {
      this.pending.failAll(new ConnectionClosedError(`connection to bookie ${address} closed${err ? `: ${err.message}` : ''}`, { cause: err }));
    });
  }

  /** Connects to `host:port`. */
  static async connect(address: string, options: BookieClientOptions = {}): Promise<BookieClient> {
    return new BookieClient(address, await connectToBookie(address, options.connectTimeoutMs ?? 5000), options);
  }

  get isOpen(): boolean {
    return this.connection.isOpen;
  }

  /** Resolves when the connection is closed, with the error that closed it, if any. */
  get closed(): Promise<Error | undefined> {
    return this.connection.closed;
  }

  private onFrame(frame: Frame): void {
    if (frame.command === Command.ERROR && frame.requestId === 0) {
      const e = decodeError(frame);
      this.pending.failAll(new RemoteError(e.code, e.message));
      return;
    }
    this.pending.resolve(frame.requestId, frame);
  }

  private async request<T>(encode: (requestId: number) => Buffer[], decode: (frame: Frame) => T, timeoutMs?: number): Promise<T> {
    if (!this.connection.isOpen) throw new ConnectionClosedError(`connection to bookie ${this.address} is closed`);
    const { requestId, response } = this.pending.register(timeoutMs);
    this.connection.send(encode(requestId));
    const frame = await response;
    if (frame.command === Command.ERROR) {
      const e = decodeError(frame);
      throw new RemoteError(e.code, e.message);
    }
    return decode(frame);
  }

  addEntry(add: AddEntryInput): Promise<AddEntryResponse> {
    return this.request((id) => encodeAddEntry(id, add), decodeAddEntryResponse);
  }

  readEntries(req: ReadEntryRequest): Promise<ReadEntryResponse> {
    return this.request((id) => encodeReadEntry(id, req), decodeReadEntryResponse);
  }

  /** The bookie's LAC; with `timeoutMs`, a long poll answered once it passes `previousLac` or time is up. */
  readLac(ledgerId: number, longPoll?: { previousLac: number; timeoutMs: number }): Promise<LacResponse> {
    return this.request(
      (id) => encodeReadLac(id, { ledgerId, longPoll }),
      decodeReadLacResponse,
      longPoll ? longPoll.timeoutMs + this.pending.timeoutMs : undefined,
    );
  }

  fence(ledgerId: number): Promise<LacResponse> {
    return this.request((id) => encodeFence(id, { ledgerId }), decodeFenceResponse);
  }

  deleteLedger(ledgerId: number): Promise<DeleteLedgerResponse> {
    return this.request((id) => encodeDeleteLedger(id, { ledgerId }), decodeDeleteLedgerResponse);
  }

  info(): Promise<InfoResponse> {
    return this.request((id) => encodeInfo(id), decodeInfoResponse);
  }

  /** Whether more requests may be sent now without growing the socket's queue past its mark. */
  get writable(): boolean {
    return this.connection.writable;
  }

  drained(): Promise<void> {
    return this.connection.drained();
  }

  async close(): Promise<void> {
    this.connection.close();
    await this.connection.closed;
  }
}

/**
 * A TCP connection to a bookie's `host:port`, within `timeoutMs`; fails with ConnectionClosedError
 * (nothing listening, a self-connect, a timeout) and leaves no socket behind.
 */
export async function connectToBookie(address: string, timeoutMs: number): Promise<net.Socket> {
  const { host, port } = parseAddress(address);
  const socket = net.connect({ host, port });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      const selfConnected = selfConnectError(socket);
      if (selfConnected) reject(selfConnected);
      else resolve();
    });
    socket.once('error', reject);
  });
  try {
    await withTimeout(`connection to bookie ${address}`, connected, timeoutMs);
  } catch (err) {
    socket.destroy();
    throw new ConnectionClosedError(`cannot connect to bookie ${address}: ${(err as Error).message}`, { cause: err });
  }
  return socket;
}

export function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad bookie address ${JSON.stringify(address)}; expected host:port`);
  return { host, port };
}
