// Reads the u16be status that opens every bookie response, rejecting codes missing from the status table.
import type { WireReader } from '../wire-reader.js';
import { isBookieStatus, type BookieStatusCode } from './bookie-status.js';

export function readStatus(r: WireReader): BookieStatusCode {
  const code = r.u16();
  if (!isBookieStatus(code)) r.fail(`unknown status ${code}`);
  return code;
}
