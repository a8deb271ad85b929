// The index log: the durable form of the ledger table, one checksummed batch of index records per checkpoint.
//   file  = header (file-header.ts, magic 'STIX', version 1) then batches
//   batch = marker u32 'BTCH' | bodyLength u32 | crc32c(body) u32 | body (records, index-records.ts)
// A batch is applied all or nothing. At open, a damaged last batch is a torn tail (the checkpoint that
// wrote it never returned, so the journal still holds what it covered) and is cut; a damaged batch
// followed by a valid one is corruption and refuses to open.
import { crc32c } from '@node-rs/crc32';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { readFully, replaceFileAtomically, writevFully } from './durable-fs.js';
import { StorageCorruptError } from './errors.js';
import { decodeFileHeader, encodeFileHeader, FILE_HEADER_SIZE, INDEX_LOG_MAGIC, INDEX_LOG_VERSION } from './file-header.js';
import { decodeIndexRecords, type IndexRecordVisitor } from './index-records.js';

export const INDEX_LOG_NAME = 'ledger-index.log';
const BATCH_MARKER = 0x42544348; // 'BTCH'
const BATCH_HEADER_SIZE = 12;
const SCAN_CHUNK = 1024 * 1024;

export interface RecordBatch {
  bytes: Buffer;
  count: number;
}

export class IndexLog {
  private constructor(
    private handle: FileHandle,
    readonly dir: string,
    /** Bytes in the file; the next batch goes here. */
    public size: number,
    /** Records in the file, live or superseded. */
    public recordCount: number,
  ) {}

  get path(): string {
    return join(this.dir, INDEX_LOG_NAME);
  }

  /** Creates an empty index log atomically; fails if one exists. */
  static async create(dir: string): Promise<IndexLog> {
    await replaceFileAtomically(dir, INDEX_LOG_NAME, [indexHeader()]);
    return new IndexLog(await open(join(dir, INDEX_LOG_NAME), 'r+'), dir, FILE_HEADER_SIZE, 0);
  }

  /** Opens the index log and replays every complete batch into `visitor`, cutting a torn tail. */
  static async open(dir: string, visitor: IndexRecordVisitor): Promise<IndexLog> {
    await rm(join(dir, `${INDEX_LOG_NAME}.tmp`), { force: true });
    const path = join(dir, INDEX_LOG_NAME);
    const handle = await open(path, 'r+');
    try {
      const fileSize = (await handle.stat()).size;
      const header = await readFully(handle, Math.min(FILE_HEADER_SIZE, fileSize), 0, path);
      decodeFileHeader(header, path, INDEX_LOG_MAGIC, INDEX_LOG_VERSION);
      let pos = FILE_HEADER_SIZE;
      let records = 0;
      while (pos < fileSize) {
        const body = await readBatchAt(handle, pos, fileSize);
        if (body === undefined) {
          const later = await findValidBatch(handle, pos + 1, fileSize);
          if (later >= 0) {
            throw new StorageCorruptError(`${path}: damaged batch at offset ${pos} is followed by a valid batch at offset ${later}`);
          }
          await handle.truncate(pos);
          await handle.sync();
          break;
        }
        records += decodeIndexRecords(body, visitor, path);
        pos += BATCH_HEADER_SIZE + body.length;
      }
      return new IndexLog(handle, dir, Math.min(pos, fileSize), records);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  static async exists(dir: string): Promise<boolean> {
    return stat(join(dir, INDEX_LOG_NAME)).then(
      () => true,
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
    );
  }

  /** Appends one batch and fsyncs it: when this resolves, the records survive a crash. */
  async append(batch: RecordBatch): Promise<void> {
    if (batch.count === 0) return;
    const written = await writevFully(this.handle, [batchHeader(batch.bytes), batch.bytes], this.size);
    await this.handle.datasync();
    this.size += written;
    this.recordCount += batch.count;
  }

  /** Replaces the whole log with the given batches (tmp + fsync + rename + fsync dir). */
  async rewrite(batches: Iterable<RecordBatch>): Promise<void> {
    let records = 0;
    function* chunks(): Generator<Buffer> {
      yield indexHeader();
      for (const batch of batches) {
        records += batch.count;
        yield batchHeader(batch.bytes);
        yield batch.bytes;
      }
    }
    const size = await replaceFileAtomically(this.dir, INDEX_LOG_NAME, chunks());
    await this.handle.close();
    this.handle = await open(this.path, 'r+');
    this.size = size;
    this.recordCount = records;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function indexHeader(): Buffer {
  return encodeFileHeader({ magic: INDEX_LOG_MAGIC, version: INDEX_LOG_VERSION, fileId: 0 });
}

function batchHeader(body: Buffer): Buffer {
  const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  header.writeUInt32BE(BATCH_MARKER, 0);
  header.writeUInt32BE(body.length, 4);
  header.writeUInt32BE(crc32c(body), 8);
  return header;
}

/** The body of a complete, checksum-valid batch at `pos`, or undefined when there is none. */
async function readBatchAt(handle: FileHandle, pos: number, fileSize: number): Promise<Buffer | undefined> {
  if (fileSize - pos < BATCH_HEADER_SIZE) return undefined;
  const header = await readFully(handle, BATCH_HEADER_SIZE, pos, 'index log');
  if (header.readUInt32BE(0) !== BATCH_MARKER) return undefined;
  const length = header.readUInt32BE(4);
  if (length > fileSize - pos - BATCH_HEADER_SIZE) return undefined;
  const body = await readFully(handle, length, pos + BATCH_HEADER_SIZE, 'index log');
  return crc32c(body) === header.readUInt32BE(8) ? body : undefined;
}

/** Offset of the first valid batch at or after `from`, or -1. Scans for the marker, then checks the checksum. */
async function findValidBatch(handle: FileHandle, from: number, fileSize: number): Promise<number> {
  const marker = Buffer.allocUnsafe(4);
  marker.writeUInt32BE(BATCH_MARKER, 0);
  for (let start = from; start < fileSize; start += SCAN_CHUNK) {
    const length = Math.min(SCAN_CHUNK + 3, fileSize - start);
    const chunk = await readFully(handle, length, start, 'index log');
    for (let at = chunk.indexOf(marker); at >= 0 && at < SCAN_CHUNK; at = chunk.indexOf(marker, at + 1)) {
      if ((await readBatchAt(handle, start + at, fileSize)) !== undefined) return start + at;
    }
  }
  return -1;
}
