// One S3 multipart upload as an operation object: create → upload parts (one at a time, so at most
// one part is in memory) → complete; any failure aborts the upload so no parts are left behind.
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand,
  type CompletedPart, type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '../common/index.js';
import { MAX_PARTS } from './object-store.js';
import type { ObjectMetadata } from './object-metadata.js';
import { ObjectStoreRequestError } from './errors.js';

/** Runs one S3 request under the store's deadline and error mapping (S3ObjectStore.call). */
export type S3Call = <T>(operation: string, run: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>;

type State = 'idle' | 'uploading' | 'completed' | 'aborted';

export class S3MultipartUpload {
  private state: State = 'idle';
  private uploadId: string | undefined;
  private readonly completed: CompletedPart[] = [];

  constructor(
    private readonly client: S3Client,
    private readonly call: S3Call,
    private readonly target: { bucket: string; key: string; metadata?: ObjectMetadata },
    private readonly logger: Logger,
  ) {}

  /**
   * Uploads every part of `parts` (each but the last at least 5 MiB: see coalesceParts) and
   * completes the object. On any error, from `parts` or from S3, aborts the upload and rethrows.
   */
  async run(parts: AsyncIterable<Buffer>): Promise<void> {
    if (this.state !== 'idle') throw new Error(`multipart upload is ${this.state}`);
    this.state = 'uploading';
    try {
      const created = await this.call('CreateMultipartUpload', (abortSignal) =>
        this.client.send(new CreateMultipartUploadCommand({ Bucket: this.target.bucket, Key: this.target.key, Metadata: this.target.metadata }), { abortSignal }),
      );
      if (!created.UploadId) throw new ObjectStoreRequestError(`CreateMultipartUpload of ${JSON.stringify(this.target.key)} returned no upload id`);
      this.uploadId = created.UploadId;
      for await (const part of parts) await this.uploadPart(part);
      await this.complete();
      this.state = 'completed';
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  private async uploadPart(body: Buffer): Promise<void> {
    const partNumber = this.completed.length + 1;
    if (partNumber > MAX_PARTS) throw new ObjectStoreRequestError(`${JSON.stringify(this.target.key)} needs more than ${MAX_PARTS} parts: use a larger part size`);
    const res = await this.call('UploadPart', (abortSignal) =>
      this.client.send(new UploadPartCommand({
        Bucket: this.target.bucket, Key: this.target.key, UploadId: this.uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length,
      }), { abortSignal }),
    );
    if (!res.ETag) throw new ObjectStoreRequestError(`UploadPart ${partNumber} of ${JSON.stringify(this.target.key)} returned no ETag`);
    this.completed.push({ ETag: res.ETag, PartNumber: partNumber });
  }

  private async complete(): Promise<void> {
    await this.call('CompleteMultipartUpload', (abortSignal) =>
      this.client.send(new CompleteMultipartUploadCommand({
        Bucket: this.target.bucket, Key: this.target.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.completed },
      }), { abortSignal }),
    );
  }

  /** Best effort: a failed abort is logged (a bucket lifecycle rule should expire stale uploads). */
  private async abort(): Promise<void> {
    this.state = 'aborted';
    if (this.uploadId === undefined) return;
    try {
      await this.call('AbortMultipartUpload', (abortSignal) =>
        this.client.send(new AbortMultipartUploadCommand({ Bucket: this.target.bucket, Key: this.target.key, UploadId: this.uploadId }), { abortSignal }),
      );
    } catch (err) {
      this.logger.warn({ err, bucket: this.target.bucket, key: this.target.key, uploadId: this.uploadId }, 'could not abort multipart upload');
    }
  }
}
