// The consuming side of `strata perf consume` (and of bench/client-bench.ts): takes messages from a consumer as
// fast as they come, measures their end-to-end latency, and acknowledges them cumulatively every N messages
// (per partition: the last message taken of each), so the subscription moves on without one ack per message;
// on shared subscriptions each message is acked on its own.
import { AbortedError, ClosedError, type Consumer, type Message } from '../../client/index.js';
import { LoadMeter, type IntervalReport } from './load-meter.js';
import type { LatencyBucket, LatencySummary } from './latency-recorder.js';

export interface ConsumeLoadOptions {
  /** Stop after this many messages; with durationMs whichever comes first; neither: until the signal. */
  messages?: number;
  durationMs?: number;
  /** Acknowledge cumulatively after every this many messages (and once at the end). */
  ackEvery: number;
  /** Ack every message on its own (shared and key_shared subscriptions refuse cumulative acks). */
  individualAcks?: boolean;
  signal?: AbortSignal;
  /** End-to-end latency of a message in ms. Default: now − publishTime (ms resolution, the producer's clock). */
  latencyOf?: (message: Message) => number;
  onInterval?: (report: IntervalReport) => void;
  intervalMs?: number;
}

export interface ConsumeLoadResult {
  messages: number;
  bytes: number;
  /** From the start to the last message taken (to the end, when the duration or the signal ended the run). */
  seconds: number;
  latency: LatencySummary;
  buckets(): LatencyBucket[];
  /** Cumulative acks the broker refused or that did not complete. */
  failedAcks: number;
  firstAckError?: Error;
}

const publishLatency = (m: Message) => Date.now() - m.publishTime;

/** Waits at most this long for the last acks at the end. */
const FINAL_ACK_TIMEOUT_MS = 30_000;

export async function runConsumeLoad(consumer: Consumer, options: ConsumeLoadOptions): Promise<ConsumeLoadResult> {
  const meter = new LoadMeter();
  const latencyOf = options.latencyOf ?? publishLatency;
  const limit = options.messages ?? Infinity;
  const signals = [options.signal, options.durationMs === undefined ? undefined : AbortSignal.timeout(options.durationMs)].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  const acks = new PerfAcks(consumer, options.individualAcks === true);
  const ticker = options.onInterval && setInterval(() => options.onInterval!(meter.takeInterval()), options.intervalMs ?? 1000);
  let endedAt = meter.startedAt;
  try {
    while (meter.messages < limit) {
      let m: Message;
      try {
        m = await consumer.receive(signal);
      } catch (err) {
        if (err instanceof AbortedError || err instanceof ClosedError) break;
        throw err;
      }
      meter.add(m.value.length, latencyOf(m));
      endedAt = performance.now();
      acks.taken(m);
      if (meter.messages % options.ackEvery === 0) acks.send();
    }
    // Ended by --duration or Ctrl-C rather than by the count: the run lasted until now.
    if (meter.messages < limit) endedAt = performance.now();
  } finally {
    clearInterval(ticker);
  }
  acks.send();
  await acks.settled(FINAL_ACK_TIMEOUT_MS);
  return {
    messages: meter.messages,
    bytes: meter.bytes,
    seconds: (endedAt - meter.startedAt) / 1000,
    latency: meter.latency.summary(),
    buckets: () => meter.latency.buckets(),
    failedAcks: acks.failed,
    firstAckError: acks.firstError,
  };
}

/**
 * Acks sent every N messages: cumulatively, the last message taken per partition since the previous send; or, on
 * shared subscriptions (`individual`), every message taken since then (the client packs them into one ACK).
 */
class PerfAcks {
  private readonly latest = new Map<number, Message>();
  private taken_: Message[] = [];
  private inFlight = 0;
  failed = 0;
  firstError: Error | undefined;
  private idle: Array<() => void> = [];

  constructor(
    private readonly consumer: Consumer,
    private readonly individual: boolean,
  ) {}

  taken(m: Message): void {
    if (this.individual) this.taken_.push(m);
    else this.latest.set(m.partition, m);
  }

  send(): void {
    const batch = this.individual ? this.taken_ : [...this.latest.values()];
    this.taken_ = [];
    for (const m of batch) {
      this.inFlight++;
      (this.individual ? this.consumer.ack(m) : this.consumer.ackCumulative(m)).then(
        () => this.done(),
        (err: unknown) => {
          this.failed++;
          this.firstError ??= err instanceof Error ? err : new Error(String(err));
          this.done();
        },
      );
    }
    this.latest.clear();
  }

  /** Resolves once every ack sent is answered, or after timeoutMs (those still open then count as failed). */
  async settled(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
    const idle = new Promise<boolean>((resolve) => this.idle.push(() => resolve(false)));
    const late = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    if (late) {
      this.failed += this.inFlight;
      this.firstError ??= new Error(`${this.inFlight} acknowledgements not answered within ${timeoutMs / 1000} s`);
    }
  }

  private done(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.idle.splice(0)) w();
  }
}
