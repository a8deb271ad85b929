// Encodes and decodes client↔broker frames from the schema (schema.ts) alone: one interpreter for every command,
// so the schema is the specification and the code cannot drift from it. A `payload` field is never copied: the
// encoder hands the caller's Buffer on, the decoder returns a view of the received bytes.
import { allocFrameHead, FRAME_HEADER_SIZE, LENGTH_PREFIX_SIZE, type Frame } from '../frame.js';
import { MalformedFrameError } from '../errors.js';
import { WireReader } from '../wire-reader.js';
import { utf8Field, writeLac, writeU64 } from '../wire-writer.js';
import { clientCommands, type ClientCommandName, type FieldSpec, type FieldType } from './schema.js';

/** A message position inside a stored batch, with the batch's message count (0 = unknown, for NACK). */
export interface WirePosition {
  ledgerId: number;
  entryId: number;
  batchIndex: number;
  batchSize: number;
}

interface FieldValues {
  u8: number;
  u16: number;
  u32: number;
  u64: number;
  i64: number;
  bool: boolean;
  string: string;
  bytes: Buffer;
  properties: Record<string, string>;
  positions: WirePosition[];
  payload: Buffer;
}

type ValuesOf<F extends readonly FieldSpec[]> = { [K in F[number] as K['name']]: FieldValues[K['type']] };

/** The field values of a command, typed from the schema. */
export type CommandValue<N extends ClientCommandName> = ValuesOf<(typeof clientCommands)[N]['fields']>;

/** A decoded frame of the client protocol. */
export type DecodedCommand = { [N in ClientCommandName]: { name: N; requestId: number; value: CommandValue<N> } }[ClientCommandName];

const POSITION_SIZE = 8 + 8 + 4 + 4;
const byCode = new Map<number, ClientCommandName>((Object.keys(clientCommands) as ClientCommandName[]).map((n) => [clientCommands[n].code, n]));

/** True if `code` is a command of the client protocol. */
export function isClientCommand(code: number): boolean {
  return byCode.has(code);
}

/** Encodes a command as `[head, payload?]`. Values the wire cannot carry are a RangeError (a caller bug). */
export function encodeCommand<N extends ClientCommandName>(name: N, requestId: number, value: CommandValue<N>): Buffer[] {
  const spec = clientCommands[name];
  const fields = spec.fields as readonly FieldSpec[];
  const values = value as Record<string, unknown>;
  const strings: Buffer[] = [];
  let fixed = 0;
  let payload: Buffer | undefined;
  for (const field of fields) {
    const v = values[field.name];
    if (field.type === 'payload') payload = v as Buffer;
    else fixed += sizeOf(field, v, strings);
  }
  const head = allocFrameHead(spec.code, 0, uint(requestId, 0xffffffff, 'requestId'), fixed, payload?.length ?? 0);
  let off = LENGTH_PREFIX_SIZE + FRAME_HEADER_SIZE;
  let s = 0;
  for (const field of fields) {
    const v = values[field.name];
    switch (field.type) {
      case 'u8':
        head.writeUInt8(uint(v, 0xff, field.name), off);
        off += 1;
        break;
      case 'bool':
        head[off++] = v === true ? 1 : 0;
        break;
      case 'u16':
        off = head.writeUInt16BE(uint(v, 0xffff, field.name), off);
        break;
      case 'u32':
        off = head.writeUInt32BE(uint(v, 0xffffffff, field.name), off);
        break;
      case 'u64':
        writeU64(head, off, v as number, field.name);
        off += 8;
        break;
      case 'i64':
        writeLac(head, off, v as number, field.name);
        off += 8;
        break;
      case 'string': {
        const b = strings[s++]!;
        off = head.writeUInt16BE(b.length, off);
        off += b.copy(head, off);
        break;
      }
      case 'bytes': {
        const b = v as Buffer;
        off = head.writeUInt32BE(b.length, off);
        off += b.copy(head, off);
        break;
      }
      case 'properties': {
        const entries = Object.entries(v as Record<string, string>);
        off = head.writeUInt16BE(entries.length, off);
        for (let i = 0; i < entries.length * 2; i++) {
          const b = strings[s++]!;
          off = head.writeUInt16BE(b.length, off);
          off += b.copy(head, off);
        }
        break;
      }
      case 'positions':
        off = head.writeUInt32BE((v as WirePosition[]).length, off);
        for (const p of v as WirePosition[]) {
          writeU64(head, off, p.ledgerId, 'ledgerId');
          writeU64(head, off + 8, p.entryId, 'entryId');
          head.writeUInt32BE(uint(p.batchIndex, 0xffffffff, 'batchIndex'), off + 16);
          head.writeUInt32BE(uint(p.batchSize, 0xffffffff, 'batchSize'), off + 20);
          off += POSITION_SIZE;
        }
        break;
      case 'payload':
        break;
    }
  }
  return payload === undefined || payload.length === 0 ? [head] : [head, payload];
}

/** `v` if it is an integer in [0, max]; Buffer's writers would silently write a fraction truncated and NaN as 0. */
function uint(v: unknown, max: number, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${field} must be an integer in [0, ${max}], got ${String(v)}`);
  return v;
}

function sizeOf(field: FieldSpec, v: unknown, strings: Buffer[]): number {
  switch (field.type) {
    case 'u8':
    case 'bool':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'u64':
    case 'i64':
      return 8;
    case 'string': {
      const b = utf8Field(v as string, field.name);
      strings.push(b);
      return 2 + b.length;
    }
    case 'bytes':
      return 4 + (v as Buffer).length;
    case 'properties': {
      const entries = Object.entries(v as Record<string, string>);
      if (entries.length > 0xffff) throw new RangeError(`${field.name}: at most 65535 properties`);
      let n = 2;
      for (const [k, val] of entries) {
        const kb = utf8Field(k, `${field.name} name`);
        const vb = utf8Field(val, `${field.name} value`);
        strings.push(kb, vb);
        n += 4 + kb.length + vb.length;
      }
      return n;
    }
    case 'positions':
      return 4 + (v as WirePosition[]).length * POSITION_SIZE;
    case 'payload':
      return 0;
  }
}

/**
 * Decodes a frame of the client protocol. An unknown command, set flags, or bytes that do not follow the command's
 * fields are a MalformedFrameError (answer with an ERROR frame and close the connection).
 */
export function decodeCommand(frame: Frame): DecodedCommand {
  const name = byCode.get(frame.command);
  if (name === undefined) throw new MalformedFrameError(`unknown command 0x${frame.command.toString(16).padStart(4, '0')}`);
  if (frame.flags !== 0) throw new MalformedFrameError(`${name}: unknown flags 0x${frame.flags.toString(16)}`);
  const spec = clientCommands[name];
  const requestIdWanted = spec.kind !== 'notice';
  if (requestIdWanted !== (frame.requestId !== 0)) {
    throw new MalformedFrameError(`${name}: requestId must be ${requestIdWanted ? 'non-zero' : '0'}, got ${frame.requestId}`);
  }
  const r = new WireReader(frame.body, name);
  const value: Record<string, unknown> = {};
  for (const field of spec.fields as readonly FieldSpec[]) value[field.name] = readField(r, field.type, field.name);
  r.end();
  return { name, requestId: frame.requestId, value } as DecodedCommand;
}

function readField(r: WireReader, type: FieldType, name: string): unknown {
  switch (type) {
    case 'u8':
      return r.u8();
    case 'bool': {
      const b = r.u8();
      if (b > 1) r.fail(`${name} must be 0 or 1, got ${b}`);
      return b === 1;
    }
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'u64':
      return r.u64(name);
    case 'i64':
      return r.lac(name);
    case 'string':
      return r.string16(name);
    case 'bytes':
      return r.bytes(r.u32());
    case 'properties': {
      const n = r.u16();
      const out: Record<string, string> = Object.create(null) as Record<string, string>;
      for (let i = 0; i < n; i++) {
        const k = r.string16(`${name} name`);
        if (k in out) r.fail(`${name}: duplicate name ${JSON.stringify(k)}`);
        out[k] = r.string16(`${name} value`);
      }
      return out;
    }
    case 'positions': {
      const n = r.u32();
      if (n * POSITION_SIZE > r.remaining) r.fail(`${name}: ${n} positions do not fit in ${r.remaining} bytes`);
      const out: WirePosition[] = new Array<WirePosition>(n);
      for (let i = 0; i < n; i++) out[i] = { ledgerId: r.u64('ledgerId'), entryId: r.u64('entryId'), batchIndex: r.u32(), batchSize: r.u32() };
      return out;
    }
    case 'payload':
      return r.bytes(r.remaining);
  }
}
