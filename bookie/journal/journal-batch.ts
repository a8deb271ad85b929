// One group-commit batch: records that share one write and one fdatasync, and one promise that
// settles for all of them at once (appenders chain on it; no promise per record inside).
import type { FileHandle } from 'node:fs/promises';
import type { JournalError } from './errors.js';

export class JournalBatch {
  /** Encoded records in order: small header buffers and the callers' payloads. */
  readonly buffers: Buffer[] = [];
  bytes = 0;
  records = 0;
  /** The file it was written to, and how long that took in microseconds (set once written). */
  file: FileHandle | undefined;
  writeMicros = 0;
  /** Settles once: resolved after the fdatasync covering every record, or rejected. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (err: JournalError) => void;

  /**
   * @param fileId the file the batch is written to
   * @param startOffset where its first record starts in that file
   * @param newFile the file must be created (header, fsync file and directory) before the write
   * @param createdAt performance.now() when the first record joined (0 when nobody waits on it)
   */
  constructor(
    readonly fileId: number,
    readonly startOffset: number,
    readonly newFile: boolean,
    readonly createdAt: number,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // Appenders chain on `done`; this keeps a failure from also surfacing as unhandled here.
    this.done.catch(() => undefined);
  }

  get endOffset(): number {
    return this.startOffset + this.bytes;
  }

  resolve(): void {
    this.resolveDone();
  }

  reject(err: JournalError): void {
    this.rejectDone(err);
  }
}
