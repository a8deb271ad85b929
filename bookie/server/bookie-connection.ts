// One client connection of a bookie: decodes each request, runs it on the core and writes the answer.
// A malformed frame (or an unknown command) gets an ERROR frame and closes this connection only;
// a well-formed request about an unknown ledger or entry gets an ordinary status.
import type { Socket } from 'node:net';
import {
  BookieStatus, Command, FrameConnection, ProtocolError, ChecksumMismatchError, decodeAddEntry, decodeDeleteLedger, decodeFence, decodeInfo,
  decodeReadEntry, decodeReadLac, encodeAddEntryResponse, encodeDeleteLedgerResponse, encodeError, encodeFenceResponse, encodeInfoResponse,
  encodeReadEntryResponse, encodeReadLacResponse, MalformedFrameError, type Frame, type InfoResponse,
} from '../../protocol/index.js';
import type { Logger } from '../../common/index.js';
import type { BookieCore } from './bookie-core.js';
import type { BookieMetrics } from './bookie-metrics.js';

export interface BookieConnectionContext {
  core: BookieCore;
  metrics: BookieMetrics;
  log: Logger;
  info(): Promise<InfoResponse>;
  /** Answers UNKNOWN to everything while the bookie cannot vouch for its data. */
  writable(): boolean;
}

export class BookieConnection {
  readonly connection: FrameConnection;
  private inFlight = 0;
  private static readonly maxInFlight = 4096;

  constructor(socket: Socket, private readonly ctx: BookieConnectionContext) {
    this.connection = new FrameConnection(socket, { onFrame: (frame) => this.onFrame(frame) });
    ctx.metrics.connections.inc();
    void this.connection.closed.then((err) => {
      ctx.metrics.connections.dec();
      if (err instanceof ProtocolError) {
        ctx.metrics.protocolErrorsTotal.inc();
        ctx.log.warn({ remote: socket.remoteAddress, err: err.message }, 'closed a connection after a protocol error');
      }
    });
  }

  private onFrame(frame: Frame): void {
    // Bounded work per connection: stop reading while too many requests of this client are running.
    if (++this.inFlight >= BookieConnection.maxInFlight) this.connection.pauseReading();
    // One reaction per request (this runs for every add).
    this.handle(frame).then(
      (response) => {
        this.finished();
        try {
          if (this.connection.isOpen) this.connection.send(response);
        } catch (err) {
          this.fail(frame, err);
        }
      },
      (err: unknown) => {
        this.finished();
        this.fail(frame, err);
      },
    );
  }

  private finished(): void {
    if (this.inFlight-- === BookieConnection.maxInFlight) this.connection.resumeReading();
  }

  private fail(frame: Frame, err: unknown): void {
    if (!this.connection.isOpen) return;
    if (err instanceof ProtocolError && !(err instanceof ChecksumMismatchError)) {
      // Malformed input: say why, then close this connection. Other connections are unaffected.
      this.connection.send(encodeError(frame.requestId, { code: err.code, message: err.message }));
      this.connection.close();
      return;
    }
    this.ctx.log.error({ err, command: frame.command }, 'request failed');
    this.connection.send(encodeError(frame.requestId, { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }));
  }

  private async handle(frame: Frame): Promise<Buffer[]> {
    const { core } = this.ctx;
    const id = frame.requestId;
    switch (frame.command) {
      case Command.ADD_ENTRY: {
        let add;
        try {
          add = decodeAddEntry(frame);
        } catch (err) {
          if (!(err instanceof ChecksumMismatchError)) throw err;
          // A corrupted payload in a well-formed frame: refuse this add, keep the connection.
          const ledgerId = frame.body.length >= 16 ? Number(frame.body.readBigUInt64BE(0)) : 0;
          const entryId = frame.body.length >= 16 ? Number(frame.body.readBigUInt64BE(8)) : 0;
          return encodeAddEntryResponse(id, { status: BookieStatus.BAD_REQUEST, ledgerId, entryId });
        }
        const started = performance.now();
        const status = this.ctx.writable() ? await core.add(add) : BookieStatus.NOT_WRITABLE;
        if (status === BookieStatus.OK) this.ctx.metrics.addSeconds.observe((performance.now() - started) / 1000);
        return encodeAddEntryResponse(id, { status, ledgerId: add.ledgerId, entryId: add.entryId });
      }
      case Command.READ_ENTRY: {
        const req = decodeReadEntry(frame);
        const started = process.hrtime.bigint();
        const res = await core.read(req);
        this.ctx.metrics.readSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        this.ctx.metrics.readsTotal.inc({ status: String(res.status) });
        return encodeReadEntryResponse(id, res);
      }
      case Command.READ_LAC: {
        const req = decodeReadLac(frame);
        let lac = core.lac(req.ledgerId);
        if (req.longPoll && lac <= req.longPoll.previousLac) {
          const waited = core.lacWaiters.wait(req.ledgerId, req.longPoll.previousLac, req.longPoll.timeoutMs, () => core.lac(req.ledgerId));
          if (!waited) return encodeReadLacResponse(id, { status: BookieStatus.OVERLOADED, ledgerId: req.ledgerId, lac });
          lac = await waited;
        }
        return encodeReadLacResponse(id, { status: BookieStatus.OK, ledgerId: req.ledgerId, lac });
      }
      case Command.FENCE: {
        const { ledgerId } = decodeFence(frame);
        const res = await core.fence(ledgerId);
        return encodeFenceResponse(id, { ...res, ledgerId });
      }
      case Command.DELETE_LEDGER: {
        const { ledgerId } = decodeDeleteLedger(frame);
        return encodeDeleteLedgerResponse(id, { status: await core.deleteLedger(ledgerId), ledgerId });
      }
      case Command.INFO: {
        decodeInfo(frame);
        return encodeInfoResponse(id, await this.ctx.info());
      }
      default:
        throw new MalformedFrameError(`unknown or unexpected command 0x${frame.command.toString(16)}`);
    }
  }
}
