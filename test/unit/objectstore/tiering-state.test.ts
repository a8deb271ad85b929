// The pure parts of tiering: the attempt state machine, the next step derived from ledger metadata,
// the offload policy, object key naming, the block cache and the batched ledger entry stream.
import { describe, expect, it } from 'vitest';
import type { LedgerMetadata, LedgerOffload } from '../../../ledger/index.js';
import {
  BlockCache, DEFAULT_OFFLOAD_PREFIX, nextAttemptState, nextTieringStep, parseOffloadObjectKey, selectLedgersToOffload,
  type AttemptInput, type AttemptState, type OffloadCandidate,
} from '../../../objectstore/index.js';
import { ledgerEntryStream, newOffloadObjectKey } from '../../../objectstore/internal.js';

const offload = (over: Partial<LedgerOffload> = {}): LedgerOffload => ({
  objectKey: 'k', size: 1, checksum: 'crc32c:00000000', formatVersion: 1, indexOffset: 32, blockSize: 4096, payloadBytes: 0, offloadedAt: 1000, offloadedBy: 'o', ...over,
});
const ledger = (over: Partial<LedgerMetadata> = {}): LedgerMetadata => ({
  id: 1, ensembleSize: 1, writeQuorum: 1, ackQuorum: 1, state: 'CLOSED', lastEntryId: 9, fragments: [{ firstEntryId: 0, ensemble: ['b'] }], createdAt: 0, properties: {}, ...over,
});

describe('offload attempt state machine', () => {
  it('goes reading → intending → uploading → verifying → recording → recorded', () => {
    let s: AttemptState = 'reading';
    for (const input of ['read', 'intent-recorded', 'uploaded', 'verified', 'won'] as AttemptInput[]) s = nextAttemptState(s, input);
    expect(s).toBe('recorded');
  });

  it('loses at recording or before starting, fails from any live state, and refuses everything else', () => {
    expect(nextAttemptState('recording', 'lost')).toBe('lost');
    expect(nextAttemptState('reading', 'lost')).toBe('lost');
    for (const s of ['reading', 'intending', 'uploading', 'verifying', 'recording'] as AttemptState[]) expect(nextAttemptState(s, 'error')).toBe('failed');
    expect(() => nextAttemptState('uploading', 'won')).toThrow(/no transition/);
    expect(() => nextAttemptState('reading', 'verified')).toThrow(/no transition/);
    for (const s of ['recorded', 'lost', 'failed'] as AttemptState[]) expect(() => nextAttemptState(s, 'error')).toThrow(/no transition/);
  });
});

describe('next tiering step from the metadata alone', () => {
  it('offload, wait for the grace period, delete local copies, done — and skip what is not closed', () => {
    expect(nextTieringStep(undefined, 0, 10)).toMatchObject({ step: 'skip' });
    expect(nextTieringStep(ledger({ state: 'OPEN' }), 0, 10)).toMatchObject({ step: 'skip', reason: 'ledger is OPEN' });
    expect(nextTieringStep(ledger({ state: 'IN_RECOVERY' }), 0, 10)).toMatchObject({ step: 'skip' });
    expect(nextTieringStep(ledger(), 0, 10)).toEqual({ step: 'offload' });
    expect(nextTieringStep(ledger({ offload: offload() }), 1005, 10)).toEqual({ step: 'wait', until: 1010 });
    expect(nextTieringStep(ledger({ offload: offload() }), 1010, 10)).toEqual({ step: 'delete-local-copies' });
    expect(nextTieringStep(ledger({ offload: offload({ localCopiesDeletedAt: 2000 }) }), 5000, 10)).toEqual({ step: 'done' });
  });
});

describe('offload policy', () => {
  const c = (id: number, over: Partial<OffloadCandidate>): OffloadCandidate => ({ id, state: 'CLOSED', createdAt: id * 1000, length: 10, ...over });
  const now = 100_000;
  const policy = { minAgeMs: 50_000, minSizeBytes: 1000, highWaterMark: 0.8 };

  it('picks closed ledgers that are old or large, oldest first, never open ones', () => {
    const ledgers = [c(90, {}), c(20, {}), c(95, { length: 5000 }), c(10, { state: 'OPEN' }), c(30, { state: 'IN_RECOVERY' }), c(40, { length: undefined })];
    expect(selectLedgersToOffload(ledgers, 0.1, policy, now)).toEqual([20, 40, 95]);
  });

  it('past the high-water mark picks every closed ledger', () => {
    const ledgers = [c(90, {}), c(95, {}), c(99, { state: 'OPEN' })];
    expect(selectLedgersToOffload(ledgers, 0.79, policy, now)).toEqual([]);
    expect(selectLedgersToOffload(ledgers, 0.8, policy, now)).toEqual([90, 95]);
  });

  it('keeps offloaded ledgers until their bookie copies are deleted', () => {
    const ledgers = [c(90, { offload: offload() }), c(91, { offload: offload({ localCopiesDeletedAt: 1 }) })];
    expect(selectLedgersToOffload(ledgers, 0, policy, now)).toEqual([90]);
  });
});

describe('offload object keys', () => {
  it('are unique per attempt, fixed-width and parse back; foreign keys do not parse', () => {
    const a = newOffloadObjectKey(DEFAULT_OFFLOAD_PREFIX, 42);
    const b = newOffloadObjectKey(DEFAULT_OFFLOAD_PREFIX, 42);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^offloaded-ledgers\/0000000000000042-[0-9a-f-]{36}$/);
    expect(parseOffloadObjectKey(DEFAULT_OFFLOAD_PREFIX, a)).toMatchObject({ ledgerId: 42 });
    expect(parseOffloadObjectKey(DEFAULT_OFFLOAD_PREFIX, 'offloaded-ledgers/notes.txt')).toBeUndefined();
    expect(parseOffloadObjectKey('other/', a)).toBeUndefined();
  });
});

describe('BlockCache', () => {
  it('evicts the least recently used blocks to stay within its bytes, and never keeps a block larger than itself', () => {
    const cache = new BlockCache({ maxBytes: 300 });
    cache.set('a', Buffer.alloc(100));
    cache.set('b', Buffer.alloc(100));
    cache.set('c', Buffer.alloc(100));
    cache.get('a');
    cache.set('d', Buffer.alloc(100));
    expect(cache.has('b')).toBe(false);
    expect(['a', 'c', 'd'].every((k) => cache.has(k))).toBe(true);
    cache.set('huge', Buffer.alloc(301));
    expect(cache.has('huge')).toBe(false);
    expect(cache.stats()).toMatchObject({ bytes: 300, blocks: 3, evictions: 1 });
  });

  it('counts blocks that share one buffer (one ranged GET) by that buffer, once, until the last of them goes', () => {
    const cache = new BlockCache({ maxBytes: 1000 });
    const run = Buffer.alloc(400);
    cache.set('r0', run.subarray(0, 200));
    cache.set('r1', run.subarray(200, 400));
    expect(cache.stats()).toMatchObject({ bytes: 400, blocks: 2 });
    cache.set('other', Buffer.alloc(500));
    expect(cache.stats().bytes).toBe(900);
    // 300 more bytes: the two oldest blocks go, and only with the second is the shared buffer released.
    cache.set('more', Buffer.alloc(300));
    expect(cache.has('r0') || cache.has('r1')).toBe(false);
    expect(cache.stats()).toMatchObject({ bytes: 800, blocks: 2, evictions: 2 });
    cache.set('gone#0', Buffer.alloc(100));
    cache.set('gone#1', Buffer.alloc(100));
    cache.dropObject('gone');
    expect(cache.has('gone#0') || cache.has('gone#1')).toBe(false);
  });

  it('joins loads in flight, counts their bytes, and caches nothing from a failed load', async () => {
    const cache = new BlockCache({ maxBytes: 1000 });
    let release!: (b: Buffer[]) => void;
    const [p1, p2] = cache.load(['x', 'y'], 20, () => new Promise((r) => (release = r)));
    expect(cache.loadingBytes).toBe(20);
    expect(cache.lookup('y')).toBe(p2);
    release([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]);
    expect((await p1!)[0]).toBe(1);
    expect((await p2!)[0]).toBe(2);
    expect(cache.loadingBytes).toBe(0);
    expect(cache.get('x')).toBeDefined();
    const [failed] = cache.load(['z'], 5, () => Promise.reject(new Error('boom')));
    await expect(failed).rejects.toThrow('boom');
    expect(cache.has('z')).toBe(false);
    expect(cache.loadingBytes).toBe(0);
  });
});

describe('ledgerEntryStream', () => {
  const reader = (size: number, log: Array<[number, number]>, active = { now: 0, max: 0 }) => ({
    async read(first: number, last: number) {
      log.push([first, last]);
      active.now++;
      active.max = Math.max(active.max, active.now);
      await new Promise((r) => setTimeout(r, 1));
      active.now--;
      return Array.from({ length: last - first + 1 }, (_, i) => ({ entryId: first + i, crc: 0, payload: Buffer.alloc(size) }));
    },
  });

  it('reads 0..last in batches sized to the target bytes, with one batch read ahead at most', async () => {
    const log: Array<[number, number]> = [];
    const active = { now: 0, max: 0 };
    const seen: number[] = [];
    for await (const batch of ledgerEntryStream(reader(1000, log, active), 999, { targetBatchBytes: 100_000 })) {
      seen.push(...batch.map((e) => e.entryId));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(log[0]).toEqual([0, 15]);
    // After the first batch: about 100,000 / 1,016 = 98 entries per read.
    expect(log[1]![1] - log[1]![0] + 1).toBe(98);
    expect(active.max).toBeLessThanOrEqual(1);
  });

  it('an empty ledger yields nothing; a failed read fails the stream', async () => {
    const none: unknown[] = [];
    for await (const b of ledgerEntryStream(reader(1, []), -1)) none.push(b);
    expect(none).toEqual([]);
    const failing = { read: () => Promise.reject(new Error('bookies down')) };
    await expect((async () => { for await (const _ of ledgerEntryStream(failing, 10)) void _; })()).rejects.toThrow('bookies down');
  });
});
