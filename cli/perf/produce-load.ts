// The producing side of `strata perf produce` (and of bench/client-bench.ts): N producers on one client send
// messages of a fixed size, either as fast as the pending bound lets them (closed loop) or at a fixed rate
// on a time schedule (open loop), and measure send → ack latency.
//
// Contract: at most `maxPending` messages per producer are unanswered at any time. In open-loop mode a
// message held back by that bound is sent as soon as there is room, and its latency counts from when it
// was due, not from when it could be sent, so a stall is never hidden (no coordinated omission).
import type { BatchingOptions, Producer, StrataClient } from '../../client/index.js';
import { LoadMeter, type IntervalReport } from './load-meter.js';
import type { LatencyBucket, LatencySummary } from './latency-recorder.js';
import { SendSchedule } from './send-schedule.js';

export interface ProduceLoadOptions {
  /** tenant/namespace/topic */
  topic: string;
  producers: number;
  /** Messages per second over all producers; 0 = as fast as possible. */
  rate: number;
  /** Bytes per message value. */
  size: number;
  /** Stop after this many messages (over all producers); with durationMs whichever comes first. */
  messages?: number;
  durationMs?: number;
  batching: Partial<BatchingOptions> | false;
  /** Unanswered messages per producer, at most. */
  maxPending: number;
  /** Write the time a message counts from (ms since the epoch, float64 LE) into its first 8 bytes. */
  stampPayload?: boolean;
  /** Stops sending early (Ctrl-C); what was sent is still awaited. */
  signal?: AbortSignal;
  /** Called about every intervalMs with what happened since the previous call. */
  onInterval?: (report: IntervalReport, state: ProduceState) => void;
  intervalMs?: number;
}

export interface ProduceState {
  /** Messages sent and not yet answered. */
  pending: number;
  /** Open loop: messages due and not yet sent (the pending bound held them back). */
  behind: number;
}

export interface ProduceLoadResult {
  /** Messages acknowledged. */
  messages: number;
  failed: number;
  bytes: number;
  /** From the first send to the last answer. */
  seconds: number;
  latency: LatencySummary;
  buckets(): LatencyBucket[];
  partitions: number;
  /** The first failed send, if any (the run stops sending at the first failure). */
  firstError?: Error;
}

/** Sends per turn of the event loop at most, so answers are read in between. */
const MAX_PER_TURN = 512;

export async function runProduceLoad(client: StrataClient, options: ProduceLoadOptions): Promise<ProduceLoadResult> {
  const producers: Producer[] = [];
  try {
    for (let i = 0; i < options.producers; i++) {
      producers.push(await client.producer({ topic: options.topic, batching: options.batching, maxPendingMessages: options.maxPending, blockIfQueueFull: true }));
    }
    const template = Buffer.alloc(options.size);
    for (let i = 0; i < template.length; i++) template[i] = Math.floor(Math.random() * 256);
    const meter = new LoadMeter();
    const startMs = performance.now();
    let firstError: Error | undefined;
    const stopAll = () => workers.forEach((w) => w.stop());
    const onError = (err: Error) => {
      firstError ??= err;
      stopAll();
    };
    const workers = producers.map((producer, i) => {
      const limit = options.messages === undefined ? Infinity : Math.floor(options.messages / options.producers) + (i < options.messages % options.producers ? 1 : 0);
      const schedule = options.rate > 0 ? new SendSchedule(startMs, options.rate / options.producers) : undefined;
      return new ProduceWorker(producer, { limit, schedule, maxPending: options.maxPending, template, stamp: options.stampPayload === true }, meter, onError);
    });
    const duration = options.durationMs === undefined ? undefined : setTimeout(stopAll, options.durationMs);
    options.signal?.addEventListener('abort', stopAll, { once: true });
    if (options.signal?.aborted) stopAll();
    const ticker = options.onInterval && setInterval(() => options.onInterval!(meter.takeInterval(), stateOf(workers)), options.intervalMs ?? 1000);
    try {
      for (const w of workers) w.start();
      await Promise.all(workers.map((w) => w.finished));
    } finally {
      clearTimeout(duration);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', stopAll);
    }
    const seconds = (Math.max(...workers.map((w) => w.lastAnswerAt), startMs) - startMs) / 1000;
    return { messages: meter.messages, failed: meter.failed, bytes: meter.bytes, seconds, latency: meter.latency.summary(), buckets: () => meter.latency.buckets(), partitions: producers[0]!.partitionCount, firstError };
  } finally {
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
  }
}

function stateOf(workers: readonly ProduceWorker[]): ProduceState {
  const now = performance.now();
  let pending = 0;
  let behind = 0;
  for (const w of workers) {
    pending += w.pending;
    behind += w.behind(now);
  }
  return { pending, behind };
}

interface WorkerPlan {
  limit: number;
  /** Open loop; closed loop (as fast as the pending bound allows) without. */
  schedule: SendSchedule | undefined;
  maxPending: number;
  template: Buffer;
  stamp: boolean;
}

/** One producer's send loop. States: running → stopping (no new sends) → finished (every send answered). */
class ProduceWorker {
  private issued = 0;
  pending = 0;
  lastAnswerAt = 0;
  private stopped = false;
  /** Waiting for room under the pending bound; an answer wakes the loop once there is enough. */
  private blocked = false;
  /** When the loop last went on after a block: messages due before then count from when they were due. */
  private resumedAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private turnScheduled = false;
  private readonly wakeAt: number;
  private resolveFinished!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly producer: Producer,
    private readonly plan: WorkerPlan,
    private readonly meter: LoadMeter,
    private readonly onError: (err: Error) => void,
  ) {
    // Wake once a tenth of the bound is free, not on every answer.
    this.wakeAt = Math.max(0, plan.maxPending - Math.max(1, Math.floor(plan.maxPending / 10)));
  }

  start(): void {
    this.turn();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.checkFinished();
  }

  /** Open loop: messages due by `now` and held back by the pending bound (timer lag does not count). */
  behind(now: number): number {
    if (!this.plan.schedule || this.stopped || !this.blocked) return 0;
    return Math.max(0, Math.min(this.plan.schedule.dueBy(now), this.plan.limit) - this.issued);
  }

  private readonly turn = (): void => {
    this.turnScheduled = false;
    this.timer = undefined;
    if (this.stopped) return;
    const now = performance.now();
    const schedule = this.plan.schedule;
    const target = schedule ? Math.min(this.plan.limit, schedule.dueBy(now)) : this.plan.limit;
    let n = 0;
    while (this.issued < target && this.pending < this.plan.maxPending && n < MAX_PER_TURN) {
      this.issue(now);
      n++;
    }
    if (this.issued >= this.plan.limit) return this.stop();
    if (this.pending >= this.plan.maxPending) {
      this.blocked = true;
      return;
    }
    if (this.issued < target || !schedule) return this.scheduleTurn();
    this.timer = setTimeout(this.turn, Math.max(0, schedule.dueAt(this.issued) - performance.now()));
  };

  private scheduleTurn(): void {
    if (this.turnScheduled || this.stopped) return;
    this.turnScheduled = true;
    setImmediate(this.turn);
  }

  private issue(now: number): void {
    const k = this.issued++;
    const due = this.plan.schedule ? this.plan.schedule.dueAt(k) : now;
    const from = due < this.resumedAt ? due : now;
    let value = this.plan.template;
    if (this.plan.stamp && value.length >= 8) {
      value = Buffer.allocUnsafe(value.length);
      this.plan.template.copy(value);
      value.writeDoubleLE(performance.timeOrigin + from, 0);
    }
    this.pending++;
    this.producer.send(value).then(
      () => this.answered(from, value.length),
      (err: unknown) => this.failed(err),
    );
  }

  private answered(from: number, bytes: number): void {
    const now = performance.now();
    this.pending--;
    this.lastAnswerAt = now;
    this.meter.add(bytes, now - from);
    this.afterAnswer(now);
  }

  private failed(err: unknown): void {
    this.pending--;
    this.lastAnswerAt = performance.now();
    this.meter.fail();
    this.onError(err instanceof Error ? err : new Error(String(err)));
    this.afterAnswer(this.lastAnswerAt);
  }

  private afterAnswer(now: number): void {
    if (this.stopped) return this.checkFinished();
    if (this.blocked && this.pending <= this.wakeAt) {
      this.blocked = false;
      this.resumedAt = now;
      this.scheduleTurn();
    }
  }

  private checkFinished(): void {
    if (this.stopped && this.pending === 0) this.resolveFinished();
  }
}
