// One entry log file: a header then entry records, append-only. Records are buffered in memory (the
// payload Buffers themselves, never copied) until `write()`, and durable only after `sync()`.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { readFully, writevFully } from './durable-fs.js';
import { RECORD_HEADER_SIZE } from './entry-record.js';
import { decodeFileHeader, encodeFileHeader, ENTRY_LOG_MAGIC, ENTRY_LOG_VERSION, FILE_HEADER_SIZE, isUnwrittenHeader } from './file-header.js';
import { StorageFormatError } from './errors.js';

const NAME = /^entrylog-([0-9a-f]{8})\.log$/;

export function entryLogName(id: number): string {
  return `entrylog-${id.toString(16).padStart(8, '0')}.log`;
}

/** The log id of an entry log file name, or undefined for any other file. */
export function parseEntryLogName(name: string): number | undefined {
  const match = NAME.exec(name);
  return match === null ? undefined : parseInt(match[1]!, 16);
}

export class EntryLog {
  /** Logical end: the offset of the next record, counting bytes not yet written. */
  size: number;
  /** Bytes handed to the file (readable through the page cache). */
  written: number;
  /** Bytes known to be on disk. */
  synced: number;
  /** Record bytes the index points at; the rest of `size - FILE_HEADER_SIZE` is garbage. */
  liveBytes = 0;
  private unwritten: Buffer[] = [];
  private unwrittenCount = 0;
  private created: boolean;
  private writer: FileHandle | undefined;
  // Records not yet written, for reads: offsets ascending, from memHead on.
  private memOffsets: number[] = [];
  private memPayloads: Buffer[] = [];
  private memHead = 0;

  private constructor(
    readonly id: number,
    readonly path: string,
    size: number,
    created: boolean,
  ) {
    this.size = size;
    this.written = created ? size : 0;
    this.synced = this.written;
    this.created = created;
  }

  /** A new, empty log; its file is created by the first `write()`. */
  static fresh(dir: string, id: number): EntryLog {
    const log = new EntryLog(id, join(dir, entryLogName(id)), FILE_HEADER_SIZE, false);
    log.unwritten.push(encodeFileHeader({ magic: ENTRY_LOG_MAGIC, version: ENTRY_LOG_VERSION, fileId: id }));
    log.unwrittenCount = FILE_HEADER_SIZE;
    return log;
  }

  /**
   * Opens an existing log read-only (it is never appended to again). Returns 'unwritten' for a file whose
   * header never reached the disk (created just before a crash); throws StorageFormatError for a header
   * that is there but not ours.
   */
  static async open(dir: string, id: number): Promise<EntryLog | 'unwritten'> {
    const path = join(dir, entryLogName(id));
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const header = await readFully(handle, Math.min(size, FILE_HEADER_SIZE), 0, path);
      if (isUnwrittenHeader(header)) return 'unwritten';
      const decoded = decodeFileHeader(header, path, ENTRY_LOG_MAGIC, ENTRY_LOG_VERSION);
      if (decoded.fileId !== id) throw new StorageFormatError(path, `header names log ${decoded.fileId}`);
      return new EntryLog(id, path, size, true);
    } finally {
      await handle.close();
    }
  }

  /** Bytes buffered and not yet handed to the file. */
  get unwrittenBytes(): number {
    return this.unwrittenCount;
  }

  /** Appends a record (header + payload, both kept by reference) and returns its offset. */
  append(header: Buffer, payload: Buffer): number {
    const offset = this.size;
    this.unwritten.push(header, payload);
    const bytes = header.length + payload.length;
    this.unwrittenCount += bytes;
    this.size += bytes;
    this.memOffsets.push(offset);
    this.memPayloads.push(payload);
    return offset;
  }

  /** The payload of the record at `offset` if it is still only in memory. */
  buffered(offset: number): Buffer | undefined {
    if (offset < this.written) return undefined;
    let lo = this.memHead;
    let hi = this.memOffsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.memOffsets[mid]!;
      if (at === offset) return this.memPayloads[mid];
      if (at < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** True when the record at `offset` with this payload length is on disk. */
  isDurable(offset: number, payloadLength: number): boolean {
    return this.synced >= offset + RECORD_HEADER_SIZE + payloadLength;
  }

  /** Hands the buffered records to the file (creating it on first use). Returns true if it created the file. */
  async write(): Promise<boolean> {
    if (this.unwritten.length === 0) return false;
    const creating = !this.created;
    if (this.writer === undefined) this.writer = await open(this.path, creating ? 'wx' : 'r+');
    this.created = true;
    const buffers = this.unwritten;
    const bytes = this.unwrittenCount;
    const memEnd = this.memOffsets.length;
    this.unwritten = [];
    this.unwrittenCount = 0;
    await writevFully(this.writer, buffers, this.written);
    this.written += bytes;
    this.dropWrittenFromMemory(memEnd);
    return creating;
  }

  /** Makes everything written so far durable. */
  async sync(): Promise<void> {
    if (this.writer === undefined || this.synced >= this.written) return;
    const target = this.written;
    await this.writer.datasync();
    if (target > this.synced) this.synced = target;
  }

  async closeWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer !== undefined) await writer.close();
  }

  private dropWrittenFromMemory(memEnd: number): void {
    if (memEnd === this.memOffsets.length) {
      this.memOffsets = [];
      this.memPayloads = [];
      this.memHead = 0;
      return;
    }
    this.memHead = memEnd;
    if (this.memHead > 1024 && this.memHead * 2 > this.memOffsets.length) {
      this.memOffsets.splice(0, this.memHead);
      this.memPayloads.splice(0, this.memHead);
      this.memHead = 0;
    }
  }
}
