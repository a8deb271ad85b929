// FrameConnection over real loopback TCP: pipelining, one writev per tick, backpressure, protocol errors that close
// one connection only, and connection loss failing pending requests.
import { describe, it, expect, afterEach } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { delay, waitFor, withTimeout } from '../../../common/index.js';
import {
  BookieStatus,
  Command,
  ConnectionClosedError,
  FrameConnection,
  FrameParser,
  FrameTooLargeError,
  MalformedFrameError,
  PendingRequests,
  RemoteError,
  decodeError,
  decodeReadLac,
  decodeReadLacResponse,
  encodeDeleteLedger,
  encodeError,
  encodeFrame,
  encodeInfo,
  encodeReadLac,
  encodeReadLacResponse,
  type Frame,
} from '../../../protocol/index.js';

interface Server {
  port: number;
  connections: FrameConnection[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stub bookie: READ_LAC answers lac = 2 × ledgerId (odd request ids one macrotask later, so out of order). */
async function startServer(onFrame?: (conn: FrameConnection, frame: Frame) => void): Promise<Server> {
  const connections: FrameConnection[] = [];
  const server = net.createServer((socket) => {
    const conn: FrameConnection = new FrameConnection(socket, { onFrame: (frame) => (onFrame ?? stubBookie)(conn, frame) });
    connections.push(conn);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    for (const conn of connections) conn.destroy();
    server.close();
    await once(server, 'close');
  };
  cleanups.push(close);
  return { port: (server.address() as net.AddressInfo).port, connections, close };
}

function stubBookie(conn: FrameConnection, frame: Frame): void {
  if (frame.command !== Command.READ_LAC) {
    conn.send(encodeError(frame.requestId, { code: 'UNSUPPORTED', message: `command ${frame.command}` }));
    return;
  }
  const { ledgerId } = decodeReadLac(frame);
  const answer = () => conn.send(encodeReadLacResponse(frame.requestId, { status: BookieStatus.OK, ledgerId, lac: 2 * ledgerId }));
  if (frame.requestId % 2 === 1) setImmediate(answer);
  else answer();
}

interface Client {
  conn: FrameConnection;
  pending: PendingRequests<Frame>;
  request(encode: (requestId: number) => Buffer[]): Promise<Frame>;
}

async function connectClient(port: number): Promise<Client> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const pending = new PendingRequests<Frame>({ timeoutMs: 5_000 });
  const conn = new FrameConnection(socket, {
    onFrame: (frame) => {
      if (frame.command === Command.ERROR) {
        const { code, message } = decodeError(frame);
        pending.reject(frame.requestId, new RemoteError(code, message));
      } else {
        pending.resolve(frame.requestId, frame);
      }
    },
  });
  void conn.closed.then((cause) => pending.failAll(new ConnectionClosedError('connection closed', { cause })));
  cleanups.push(() => conn.destroy());
  const request = (encode: (requestId: number) => Buffer[]) => {
    const { requestId, response } = pending.register();
    conn.send(encode(requestId));
    return response;
  };
  return { conn, pending, request };
}

/** Writes raw bytes on a plain socket and returns everything received until the server closes it. */
async function rawExchange(port: number, bytes: Buffer): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.write(bytes);
  await withTimeout('server to close the connection', once(socket, 'close'), 5_000);
  return Buffer.concat(received);
}

describe('FrameConnection over loopback TCP', () => {
  it('pipelines 500 requests on one connection and matches out-of-order answers by request id', { timeout: 10_000 }, async () => {
    const server = await startServer();
    const client = await connectClient(server.port);
    const responses = Array.from({ length: 500 }, (_, i) => client.request((id) => encodeReadLac(id, { ledgerId: 1000 + i })));
    expect(client.pending.size).toBe(500);
    const decoded = (await withTimeout('500 responses', Promise.all(responses), 5_000)).map(decodeReadLacResponse);
    expect(decoded).toEqual(Array.from({ length: 500 }, (_, i) => ({ status: BookieStatus.OK, ledgerId: 1000 + i, lac: 2000 + 2 * i })));
    expect(client.pending.size).toBe(0);
  });

  it('sends every frame queued in one tick with a single writev', { timeout: 10_000 }, async () => {
    const server = await startServer();
    const client = await connectClient(server.port);
    const socket = client.conn.socket;
    const writevSizes: number[] = [];
    let writes = 0;
    const writev = socket._writev;
    const write = socket._write;
    expect(writev).toBeTypeOf('function');
    socket._writev = function (this: net.Socket, chunks, callback) {
      writevSizes.push(chunks.length);
      writev?.call(this, chunks, callback);
    };
    socket._write = function (this: net.Socket, chunk, encoding, callback) {
      writes++;
      write.call(this, chunk, encoding, callback);
    };
    const responses = Array.from({ length: 50 }, (_, i) => client.request((id) => encodeReadLac(id, { ledgerId: i })));
    await withTimeout('50 responses', Promise.all(responses), 5_000);
    expect(writevSizes).toEqual([50]); // each READ_LAC is a single 32-byte buffer
    expect(writes).toBe(0);
  });

  it('reports backpressure when the peer stops reading and drains once it resumes, losing nothing', { timeout: 20_000 }, async () => {
    const received: Frame[] = [];
    const server = await startServer((_conn, frame) => received.push({ ...frame, body: Buffer.from(frame.body) }));
    const client = await connectClient(server.port);
    await waitFor('server connection', () => server.connections.length > 0, { timeoutMs: 5_000 });
    server.connections[0].pauseReading();

    const payload = Buffer.alloc(64 * 1024, 0xab);
    let sent = 0;
    let stalled = false;
    for (let round = 0; round < 100 && !stalled; round++) {
      while (client.conn.send(encodeFrame(0x0200, 0, sent, [payload]))) sent++;
      sent++;
      expect(client.conn.writable).toBe(false);
      // Not drained within 300 ms: the kernel buffers are full and the socket holds the rest.
      stalled = (await Promise.race([client.conn.drained().then(() => false), delay(300).then(() => true)])) === true;
    }
    expect(stalled).toBe(true);
    expect(client.conn.socket.writableLength).toBeGreaterThanOrEqual(client.conn.highWaterMark);

    server.connections[0].resumeReading();
    await withTimeout('drain', client.conn.drained(), 10_000);
    expect(client.conn.writable).toBe(true);
    await waitFor('all frames at the server', () => received.length >= sent, { timeoutMs: 10_000 });
    expect(received).toHaveLength(sent);
    received.forEach((frame, i) => {
      expect(frame.requestId).toBe(i);
      expect(frame.body.equals(payload)).toBe(true);
    });
  });

  it('answers a garbage frame with an ERROR frame and closes that connection only', { timeout: 10_000 }, async () => {
    const server = await startServer();
    const healthy = await connectClient(server.port);
    await healthy.request((id) => encodeReadLac(id, { ledgerId: 1 }));

    const tooLarge = await rawExchange(server.port, Buffer.from('ffffffff0102030405', 'hex'));
    const frames = new FrameParser().push(tooLarge);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ command: Command.ERROR, flags: 0, requestId: 0 });
    expect(decodeError(frames[0])).toEqual({ code: 'FRAME_TOO_LARGE', message: `frame of 4294967295 bytes exceeds the maximum of ${5 * 1024 * 1024 + 65_536}` });

    const short = await rawExchange(server.port, Buffer.from('00000003aabbcc', 'hex'));
    const shortFrames = new FrameParser().push(short);
    expect(shortFrames).toHaveLength(1);
    expect(shortFrames[0]).toMatchObject({ command: Command.ERROR, requestId: 0 });
    expect(decodeError(shortFrames[0])).toEqual({ code: 'MALFORMED_FRAME', message: 'frame length 3 is shorter than the 8-byte header' });

    const serverSide = await Promise.all(server.connections.map((c) => withTimeout('server close', c.closed, 5_000).then((e) => e?.constructor)).slice(1));
    expect(serverSide).toEqual([FrameTooLargeError, MalformedFrameError]);
    expect(server.connections[0].isOpen).toBe(true);
    const after = await healthy.request((id) => encodeReadLac(id, { ledgerId: 21 }));
    expect(decodeReadLacResponse(after)).toEqual({ status: BookieStatus.OK, ledgerId: 21, lac: 42 });
  });

  it('rejects a request answered with ERROR and keeps the connection usable', { timeout: 10_000 }, async () => {
    const server = await startServer();
    const client = await connectClient(server.port);
    const failed = client.request((id) => encodeDeleteLedger(id, { ledgerId: 3 }));
    await expect(failed).rejects.toBeInstanceOf(RemoteError);
    await expect(failed).rejects.toMatchObject({ remoteCode: 'UNSUPPORTED', message: `peer reported UNSUPPORTED: command ${Command.DELETE_LEDGER}` });
    expect(decodeReadLacResponse(await client.request((id) => encodeReadLac(id, { ledgerId: 4 }))).lac).toBe(8);
  });

  it('destroys the connection with the error a frame handler throws', { timeout: 10_000 }, async () => {
    const bug = new Error('handler bug');
    const server = await startServer(() => {
      throw bug;
    });
    const client = await connectClient(server.port);
    const request = client.request((id) => encodeInfo(id));
    await waitFor('server connection', () => server.connections.length > 0, { timeoutMs: 5_000 });
    await expect(withTimeout('server close', server.connections[0].closed, 5_000)).resolves.toBe(bug);
    await expect(withTimeout('client failure', request, 5_000)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('fails pending requests with ConnectionClosedError when the peer drops the connection', { timeout: 10_000 }, async () => {
    const server = await startServer(() => {}); // never answers
    const client = await connectClient(server.port);
    const pending = [client.request((id) => encodeInfo(id)), client.request((id) => encodeInfo(id))];
    await waitFor('server connection', () => server.connections.length > 0, { timeoutMs: 5_000 });
    server.connections[0].destroy();
    for (const p of pending) await expect(withTimeout('failure', p, 5_000)).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(client.conn.state).toBe('closed');
    expect(() => client.conn.send(encodeInfo(9))).toThrow(ConnectionClosedError);
    await expect(client.conn.drained()).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
