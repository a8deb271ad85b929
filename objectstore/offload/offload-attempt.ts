// One attempt to offload one closed ledger, as an operation object with an explicit state
// (offload-state.ts): checksum pass → intent → streaming upload → verification → recording by CAS.
//
// Crash safety: until the recording transaction commits, the ledger metadata does not mention the
// object, so a crash at any point leaves the ledger local (its object, if any, is an orphan the
// sweeper removes once the intent is gone). The transaction commits the record and deletes the
// intent together, so a ledger is never half-recorded.
import type { LedgerClient, LedgerOffload } from '../../ledger/index.js';
import { jsonValue, keys, type MetadataStore, type Revision, type Session } from '../../metadata/index.js';
import type { Logger } from '../../common/index.js';
import type { ObjectStore } from '../object-store.js';
import { withRetries, type RetryOptions } from '../with-retries.js';
import { ledgerEntryStream } from './ledger-entry-stream.js';
import { OffloadEncoder, type OffloadSummary } from './offload-encoder.js';
import { OBJECT_CHECKSUM_METADATA, OBJECT_FORMAT_METADATA, OBJECT_LEDGER_METADATA, OFFLOAD_FORMAT_VERSION } from './offload-format.js';
import { LedgerNotOffloadableError, OffloadMismatchError, OffloadOutcomeUnknownError } from './offload-errors.js';
import { newOffloadObjectKey } from './offload-object-key.js';
import { readLedger, recordOffload } from './offload-record.js';
import { nextAttemptState, type AttemptInput, type AttemptState } from './offload-state.js';
import { verifyUploadedObject } from './offload-verification.js';

/** Where an attempt is, for observers (logs, tests that stop a process at a chosen point). */
export interface OffloadEvent {
  ledgerId: number;
  objectKey: string;
  phase: AttemptState | 'upload-progress';
  /** Object bytes handed to the store so far (upload-progress). */
  bytes?: number;
}

/** May return a promise: the attempt waits for it (tests use that to hold an attempt at a point). */
export type OffloadObserver = (event: OffloadEvent) => void | Promise<void>;

export interface OffloadAttemptContext {
  ledgers: LedgerClient;
  metadata: MetadataStore;
  objects: ObjectStore;
  owner: string;
  prefix: string;
  blockSize: number;
  verifyReadBack: boolean;
  /** The session the intent is bound to (alive; a new one after an expiry). */
  session: () => Promise<Session>;
  storeRetry: RetryOptions;
  logger: Logger;
  observer?: OffloadObserver;
}

export type AttemptResult = { outcome: 'recorded'; offload: LedgerOffload } | { outcome: 'lost'; winner: string };

export class OffloadAttempt {
  private current: AttemptState = 'reading';
  readonly objectKey: string;
  private readonly intentKey: string;
  private objectMayExist = false;

  /** `summary`: the checksum pass of an earlier attempt (a closed ledger never changes), to skip it. */
  constructor(
    private readonly ctx: OffloadAttemptContext,
    readonly ledgerId: number,
    private summary?: OffloadSummary,
  ) {
    this.objectKey = newOffloadObjectKey(ctx.prefix, ledgerId);
    this.intentKey = keys.objectIntent(this.objectKey);
  }

  get state(): AttemptState {
    return this.current;
  }

  /** The checksum pass's result, once known (the caller may keep it for a retry). */
  get checksummed(): OffloadSummary | undefined {
    return this.summary;
  }

  async run(): Promise<AttemptResult> {
    try {
      const result = await this.steps();
      this.transition(result.outcome === 'recorded' ? 'won' : 'lost');
      // The loser removes its own object (keys are unique per attempt, so never the winner's).
      if (result.outcome === 'lost' && result.winner !== this.objectKey) await this.cleanUp();
      await this.phase(this.current);
      return result;
    } catch (err) {
      this.transition('error');
      // An unknown outcome may be a recorded object: leave everything to the sweeper's checks.
      if (!(err instanceof OffloadOutcomeUnknownError)) await this.cleanUp();
      throw err;
    }
  }

  private async steps(): Promise<AttemptResult> {
    const current = await readLedger(this.ctx.metadata, this.ledgerId);
    if (current === undefined) throw new LedgerNotOffloadableError(`ledger ${this.ledgerId} does not exist`);
    const { metadata } = current;
    if (metadata.state !== 'CLOSED') throw new LedgerNotOffloadableError(`ledger ${this.ledgerId} is ${metadata.state}`);
    if (metadata.offload) return { outcome: 'lost', winner: metadata.offload.objectKey };
    await this.phase('reading');
    const reader = await this.ctx.ledgers.openReader(this.ledgerId);
    if (this.summary === undefined) {
      const encoder = new OffloadEncoder({ ledgerId: this.ledgerId, blockSize: this.ctx.blockSize, lastEntryId: metadata.lastEntryId });
      for await (const _ of encoder.encode(ledgerEntryStream(reader, metadata.lastEntryId))) {
        // The checksum pass keeps nothing: the object's checksum must be known before its upload starts,
        // because S3 takes an object's metadata when the (multipart) upload is created.
      }
      this.summary = encoder.summary;
    }
    const summary = this.summary;
    if (metadata.length !== undefined && summary.payloadBytes !== metadata.length) {
      throw new OffloadMismatchError(`ledger ${this.ledgerId}: read ${summary.payloadBytes} payload bytes, its metadata says ${metadata.length}`);
    }
    this.transition('read');

    await this.phase('intending');
    const session = await this.ctx.session();
    const intentRevision: Revision = await this.ctx.metadata.put(
      this.intentKey,
      jsonValue({ owner: this.ctx.owner, ledgerId: this.ledgerId, createdAt: Date.now() }),
      { expectedVersion: 'absent', session },
    );
    this.transition('intent-recorded');

    await this.phase('uploading');
    this.objectMayExist = true;
    await this.ctx.objects.putMultipart(this.objectKey, this.upload(reader, metadata.lastEntryId, summary), {
      metadata: { [OBJECT_CHECKSUM_METADATA]: summary.checksum, [OBJECT_LEDGER_METADATA]: String(this.ledgerId), [OBJECT_FORMAT_METADATA]: String(OFFLOAD_FORMAT_VERSION) },
    });
    this.transition('uploaded');

    await this.phase('verifying');
    await verifyUploadedObject(this.ctx.objects, this.objectKey, summary, { readBack: this.ctx.verifyReadBack, retry: this.ctx.storeRetry });
    this.transition('verified');

    await this.phase('recording');
    const offload: LedgerOffload = {
      objectKey: this.objectKey, size: summary.size, checksum: summary.checksum, formatVersion: OFFLOAD_FORMAT_VERSION,
      indexOffset: summary.indexOffset, blockSize: summary.blockSize, payloadBytes: summary.payloadBytes, offloadedAt: Date.now(), offloadedBy: this.ctx.owner,
    };
    const recorded = await recordOffload(this.ctx.metadata, { current, intentKey: this.intentKey, intentRevision, offload });
    return recorded.outcome === 'recorded' ? { outcome: 'recorded', offload } : recorded;
  }

  /** The second pass: the same bytes as the checksum pass, streamed to the store, or the upload fails. */
  private async *upload(reader: Parameters<typeof ledgerEntryStream>[0], lastEntryId: number, summary: OffloadSummary): AsyncGenerator<Buffer> {
    const encoder = new OffloadEncoder({ ledgerId: this.ledgerId, blockSize: this.ctx.blockSize, lastEntryId, expectedChecksum: summary.checksum });
    let bytes = 0;
    for await (const chunk of encoder.encode(ledgerEntryStream(reader, lastEntryId))) {
      bytes += chunk.length;
      if (this.ctx.observer) await this.ctx.observer({ ledgerId: this.ledgerId, objectKey: this.objectKey, phase: 'upload-progress', bytes });
      yield chunk;
    }
  }

  /** After a failure that recorded nothing: remove our object (if the upload got that far) and intent. */
  private async cleanUp(): Promise<void> {
    if (this.objectMayExist) {
      try {
        await withRetries(() => this.ctx.objects.delete(this.objectKey), this.ctx.storeRetry);
      } catch (err) {
        this.ctx.logger.warn({ err, ledgerId: this.ledgerId, objectKey: this.objectKey }, 'could not delete the object of a failed offload; the sweeper will');
      }
    }
    try {
      await this.ctx.metadata.delete(this.intentKey);
    } catch (err) {
      this.ctx.logger.warn({ err, ledgerId: this.ledgerId, intent: this.intentKey }, 'could not delete the intent of a failed offload; it ends with its session');
    }
  }

  private transition(input: AttemptInput): void {
    this.current = nextAttemptState(this.current, input);
  }

  private async phase(phase: AttemptState): Promise<void> {
    this.ctx.logger.debug({ ledgerId: this.ledgerId, objectKey: this.objectKey, phase }, 'offload attempt');
    if (this.ctx.observer) await this.ctx.observer({ ledgerId: this.ledgerId, objectKey: this.objectKey, phase });
  }
}
