// Frames over one socket (net.Socket or tls.TLSSocket): batched writes with backpressure, parsed frames delivered to a
// handler, and a protocol error answered with an ERROR frame that closes this connection only.
import type { Socket } from 'node:net';
import { encodeError, CONNECTION_REQUEST_ID } from './error-frame.js';
import { ConnectionClosedError, ProtocolError } from './errors.js';
import type { Frame } from './frame.js';
import { FrameParser } from './frame-parser.js';

export interface FrameConnectionOptions {
  /** Called synchronously for each incoming frame, in order. A throw destroys the connection with that error. */
  onFrame: (frame: Frame) => void;
  /** Largest accepted incoming frame length; default DEFAULT_MAX_FRAME_SIZE. */
  maxFrameSize?: number;
  /** Bytes queued in the socket above which `writable` is false (at least the socket's own mark). Default 1 MiB. */
  highWaterMark?: number;
  /** How long a closing connection waits for its peer before it is destroyed. Default 5 s. */
  lingerMs?: number;
}

/** `open` → `closing` (ending after a close() or a protocol error; incoming bytes are discarded) → `closed`. */
export type FrameConnectionState = 'open' | 'closing' | 'closed';

/**
 * Contracts:
 * - send() queues a frame without copying it; every frame sent in one tick of the event loop goes out in one
 *   writev (cork, then uncork on the next tick). Frames are written in send() order.
 * - send() never blocks or drops: it returns false once more than highWaterMark bytes are queued, and the caller
 *   must then wait for drained() before sending more.
 * - Malformed input from the peer: an ERROR frame (requestId 0, the error's code) is sent, then the connection is
 *   ended; `closed` resolves with that ProtocolError.
 * - `closed` resolves (never rejects) once the socket is closed, with the error that closed it, if any.
 */
export class FrameConnection {
  readonly socket: Socket;
  readonly closed: Promise<Error | undefined>;
  readonly highWaterMark: number;
  private current: FrameConnectionState = 'open';
  private readonly parser: FrameParser;
  private readonly onFrame: (frame: Frame) => void;
  private readonly lingerMs: number;
  private corked = false;
  private error: Error | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private drain: { promise: Promise<void>; resolve(): void; reject(error: Error): void } | undefined;
  private resolveClosed!: (error: Error | undefined) => void;

  constructor(socket: Socket, { onFrame, maxFrameSize, highWaterMark = 1024 * 1024, lingerMs = 5_000 }: FrameConnectionOptions) {
    this.socket = socket;
    this.onFrame = onFrame;
    this.parser = new FrameParser({ maxFrameSize });
    this.highWaterMark = Math.max(highWaterMark, socket.writableHighWaterMark);
    this.lingerMs = lingerMs;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.settleDrain());
    socket.on('error', (err: Error) => {
      this.error ??= err;
    });
    socket.on('close', () => this.onSocketClose());
    if (socket.destroyed) this.onSocketClose();
  }

  get state(): FrameConnectionState {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current === 'open';
  }

  /** False while more than highWaterMark bytes wait in the socket. */
  get writable(): boolean {
    return this.socket.writableLength < this.highWaterMark;
  }

  /** Queues one encoded frame (as returned by the encoders); returns `writable`. Throws ConnectionClosedError unless open. */
  send(frame: readonly Buffer[]): boolean {
    if (this.current !== 'open') throw new ConnectionClosedError(`cannot send: connection is ${this.current}`, { cause: this.error });
    this.write(frame);
    return this.socket.writableLength < this.highWaterMark;
  }

  /** Resolves once `writable` (at once if it already is); rejects with ConnectionClosedError if the socket closes first. */
  drained(): Promise<void> {
    if (this.current === 'closed') return Promise.reject(new ConnectionClosedError('connection is closed', { cause: this.error }));
    if (this.writable) return Promise.resolve();
    if (this.drain === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.drain = { promise, resolve, reject };
    }
    return this.drain.promise;
  }

  /** Stops reading from the socket (the peer is slowed by TCP flow control) until resumeReading(). */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  /** Flushes what was sent, then ends the connection; incoming frames are no longer delivered. */
  close(): void {
    if (this.current !== 'open') return;
    this.startClosing();
  }

  /** Closes at once, dropping queued frames; `closed` resolves with `error`. */
  destroy(error?: Error): void {
    if (error !== undefined) this.error ??= error;
    this.socket.destroy();
  }

  private write(frame: readonly Buffer[]): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    for (let i = 0; i < frame.length; i++) {
      if (frame[i].length > 0) this.socket.write(frame[i]);
    }
  }

  /** The nextTick half of write()'s cork: one writev for everything sent in the tick. */
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private receive(chunk: Buffer): void {
    if (this.current !== 'open') return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.protocolFailure(err);
      return;
    }
    try {
      for (let i = 0; i < frames.length && this.current === 'open'; i++) this.onFrame(frames[i]);
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private protocolFailure(err: unknown): void {
    if (!(err instanceof ProtocolError)) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.error ??= err;
    this.write(encodeError(CONNECTION_REQUEST_ID, { code: err.code, message: err.message }));
    this.startClosing();
  }

  private startClosing(): void {
    this.current = 'closing';
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), this.lingerMs);
    this.lingerTimer.unref();
  }

  private settleDrain(): void {
    const drain = this.drain;
    if (drain === undefined || !this.writable) return;
    this.drain = undefined;
    drain.resolve();
  }

  private onSocketClose(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    clearTimeout(this.lingerTimer);
    const drain = this.drain;
    this.drain = undefined;
    drain?.reject(new ConnectionClosedError('connection closed', { cause: this.error }));
    this.resolveClosed(this.error);
  }
}
