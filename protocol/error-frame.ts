// ERROR (0x0001): the answer to a request that failed outside its command's own status codes, or, with
// requestId 0, a notice about the connection itself (sent just before the sender closes it).
//   body = codeLength:u16be code:utf8 messageLength:u16be message:utf8      flags = 0
// `code` is a StrataError code (e.g. MALFORMED_FRAME, FRAME_TOO_LARGE); `message` is for humans, cut to 1024 chars.
import { Command } from './command.js';
import { allocFrameHead, LENGTH_PREFIX_SIZE, FRAME_HEADER_SIZE, type Frame } from './frame.js';
import { readerFor } from './wire-reader.js';
import { utf8Field } from './wire-writer.js';

/** requestId of an ERROR frame about the whole connection rather than one request. */
export const CONNECTION_REQUEST_ID = 0;
export const MAX_ERROR_MESSAGE_CHARS = 1024;

export interface ErrorFrame {
  code: string;
  message: string;
}

export function encodeError(requestId: number, error: ErrorFrame): Buffer[] {
  const code = utf8Field(error.code, 'error code');
  const message = utf8Field(error.message.slice(0, MAX_ERROR_MESSAGE_CHARS), 'error message');
  const fixed = 2 + code.length + 2 + message.length;
  const head = allocFrameHead(Command.ERROR, 0, requestId, fixed, 0);
  let off = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;
  off = head.writeUInt16BE(code.length, off);
  off += code.copy(head, off);
  off = head.writeUInt16BE(message.length, off);
  message.copy(head, off);
  return [head];
}

export function decodeError(frame: Frame): ErrorFrame {
  const r = readerFor(frame, Command.ERROR, 0, 'ERROR');
  const code = r.string16('code');
  const message = r.string16('message');
  r.end();
  return { code, message };
}
