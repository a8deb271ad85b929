// Typed errors of the wire protocol: framing, codec validation, connections and pending requests.
import { StrataError } from '../common/index.js';

/** Base of every protocol failure; a parser or decoder throws nothing else on bad input. */
export abstract class ProtocolError extends StrataError {}

/** A frame's length prefix exceeds the receiver's maximum frame size. The connection is unusable. */
export class FrameTooLargeError extends ProtocolError {
  readonly code = 'FRAME_TOO_LARGE';
  readonly retriable = false;
  constructor(readonly length: number, readonly maxFrameSize: number) {
    super(`frame of ${length} bytes exceeds the maximum of ${maxFrameSize}`);
  }
}

/** Bytes that do not follow the wire grammar: short header, truncated or trailing fields, values out of range. */
export class MalformedFrameError extends ProtocolError {
  readonly code = 'MALFORMED_FRAME';
  readonly retriable = false;
}

/** An entry whose payload does not match its CRC32C: corrupted in transit or at rest. Another replica may be intact. */
export class ChecksumMismatchError extends ProtocolError {
  readonly code = 'CHECKSUM_MISMATCH';
  readonly retriable = true;
  constructor(readonly ledgerId: number, readonly entryId: number, readonly expected: number, readonly actual: number) {
    super(`entry ${ledgerId}:${entryId} has CRC32C ${actual >>> 0}, frame says ${expected >>> 0}`);
  }
}

/** The connection closed (or was never open) before the operation completed; it may or may not have happened. */
export class ConnectionClosedError extends ProtocolError {
  readonly code = 'CONNECTION_CLOSED';
  readonly retriable = true;
}

/** No response arrived within the request's timeout; the request may or may not have been executed. */
export class RequestTimeoutError extends ProtocolError {
  readonly code = 'REQUEST_TIMEOUT';
  readonly retriable = true;
  constructor(readonly requestId: number, readonly timeoutMs: number) {
    super(`request ${requestId} got no response within ${timeoutMs} ms`);
  }
}

/** The bound on in-flight requests of one connection is reached: back off until responses arrive. */
export class TooManyPendingRequestsError extends ProtocolError {
  readonly code = 'TOO_MANY_PENDING_REQUESTS';
  readonly retriable = true;
  constructor(readonly maxPending: number) {
    super(`${maxPending} requests already pending on this connection`);
  }
}

/** The peer answered with an ERROR frame; `remoteCode` is the peer's error code (e.g. MALFORMED_FRAME). */
export class RemoteError extends ProtocolError {
  readonly code = 'REMOTE_ERROR';
  readonly retriable = false;
  constructor(readonly remoteCode: string, message: string) {
    super(`peer reported ${remoteCode}: ${message}`);
  }
}
