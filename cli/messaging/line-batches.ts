// Standard input as batches of lines for `strata produce`: a batch is sent when it is full or when
// no further line arrived for a short linger, so a typed line goes out at once and a piped file in
// large requests. Reading pauses while a batch is being sent (readline's iterator is bounded).
import readline from 'node:readline';

export interface BatchLimits {
  maxMessages: number;
  maxBytes: number;
  /** How long a started batch waits for more lines. */
  lingerMs: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxMessages: 500, maxBytes: 1024 * 1024, lingerMs: 10 };

const LINGER_OVER = Symbol('linger over');

/** Every line of `input` exactly once, in order, grouped into non-empty batches. */
export async function* lineBatches(input: NodeJS.ReadableStream, limits: BatchLimits = DEFAULT_BATCH_LIMITS): AsyncGenerator<string[]> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  // A next() that lost a race against the linger timer is kept and awaited first in the next batch.
  let pending: Promise<IteratorResult<string>> | undefined;
  for (;;) {
    const batch: string[] = [];
    let bytes = 0;
    let lingerEnd = 0;
    let ended = false;
    while (batch.length < limits.maxMessages && bytes < limits.maxBytes) {
      pending ??= lines.next();
      const next = batch.length === 0 ? await pending : await raceLinger(pending, lingerEnd - Date.now());
      if (next === LINGER_OVER) break;
      pending = undefined;
      if (next.done) {
        ended = true;
        break;
      }
      if (batch.length === 0) lingerEnd = Date.now() + limits.lingerMs;
      batch.push(next.value);
      bytes += Buffer.byteLength(next.value);
    }
    if (batch.length > 0) yield batch;
    if (ended) return;
  }
}

async function raceLinger<T>(next: Promise<T>, ms: number): Promise<T | typeof LINGER_OVER> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<typeof LINGER_OVER>((resolve) => (timer = setTimeout(() => resolve(LINGER_OVER), Math.max(0, ms))));
  try {
    return await Promise.race([next, over]);
  } finally {
    clearTimeout(timer);
  }
}
