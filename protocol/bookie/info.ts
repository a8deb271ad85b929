// INFO / INFO_RESPONSE: a bookie's identity, state and free space.
//   INFO (0x010B)           flags: 0
//     body = (empty)
//   INFO_RESPONSE (0x010C)  flags: 0
//     body = status:u16be freeDiskBytes:u64be
//            bookieIdLength:u16be bookieId:utf8 instanceIdLength:u16be instanceId:utf8 versionLength:u16be version:utf8
// status is the bookie's state: OK, UNKNOWN (its cookie is missing or mismatched: it cannot vouch for its data)
// or NOT_WRITABLE (read-only). bookieId + instanceId are its cookie; version is the software version.
import { Command } from '../command.js';
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { readerFor } from '../wire-reader.js';
import { utf8Field, writeU64 } from '../wire-writer.js';
import type { BookieStatusCode } from './bookie-status.js';
import { readStatus } from './read-status.js';

const HEAD = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;

export interface InfoResponse {
  status: BookieStatusCode;
  freeDiskBytes: number;
  bookieId: string;
  instanceId: string;
  version: string;
}

export function encodeInfo(requestId: number): Buffer[] {
  return [allocFrameHead(Command.INFO, 0, requestId, 0, 0)];
}

/** Validates an INFO request (an empty body). */
export function decodeInfo(frame: Frame): void {
  readerFor(frame, Command.INFO, 0, 'INFO').end();
}

export function encodeInfoResponse(requestId: number, res: InfoResponse): Buffer[] {
  const strings = [
    utf8Field(res.bookieId, 'bookieId'),
    utf8Field(res.instanceId, 'instanceId'),
    utf8Field(res.version, 'version'),
  ];
  const fixed = 2 + 8 + strings.reduce((n, s) => n + 2 + s.length, 0);
  const buf = allocFrameHead(Command.INFO_RESPONSE, 0, requestId, fixed, 0);
  buf.writeUInt16BE(res.status, HEAD);
  writeU64(buf, HEAD + 2, res.freeDiskBytes, 'freeDiskBytes');
  let off = HEAD + 10;
  for (const s of strings) {
    off = buf.writeUInt16BE(s.length, off);
    off += s.copy(buf, off);
  }
  return [buf];
}

export function decodeInfoResponse(frame: Frame): InfoResponse {
  const r = readerFor(frame, Command.INFO_RESPONSE, 0, 'INFO_RESPONSE');
  const status = readStatus(r);
  const freeDiskBytes = r.u64('freeDiskBytes');
  const bookieId = r.string16('bookieId');
  const instanceId = r.string16('instanceId');
  const version = r.string16('version');
  r.end();
  return { status, freeDiskBytes, bookieId, instanceId, version };
}
