// The load generator of bench:bookie's latency phases: adds at a fixed rate (open loop) on a raw socket.
// Frames come from the protocol's own encoder, but nothing is kept per add except its due time in a
// preallocated array: no promise, closure or pending-request entry. On 2 cores the generator shares the
// CPU with the bookie, and a client's per-add promises and their garbage collections would be counted
// as the bookie's latency. An add's latency runs from the moment it was due, so the sender's own
// lateness (a 1 ms timer, its stalls) counts against it rather than being hidden.
import { randomBytes } from 'node:crypto';
import { Command, FrameParser, decodeAddEntryResponse, decodeError, encodeAddEntry, entryChecksum } from '../../protocol/index.js';
import { connectToBookie } from '../../ledger/index.js';
import { LatencySamples } from './histogram.js';

export interface SendAtRateOptions {
  ledgerId: number;
  entrySize: number;
  perSecond: number;
  seconds: number;
  /** The status every answer must carry (an add answered otherwise fails the run). */
  expectedStatus: number;
  /** Adds waiting at most; beyond it the sender stalls (and reports how long). Default 5000. */
  maxInflight?: number;
}

export interface SendAtRateResult {
  latency: LatencySamples;
  /** Time the sender waited because `maxInflight` adds were unanswered: the rate was not sustained. */
  stalledMs: number;
  maxInflight: number;
}

const CONNECT_TIMEOUT_MS = 5000;
const ANSWER_GRACE_MS = 60_000;

export async function sendAtRate(address: string, options: SendAtRateOptions): Promise<SendAtRateResult> {
  const { ledgerId, entrySize, perSecond, seconds, expectedStatus, maxInflight = 5000 } = options;
  const socket = await connectToBookie(address, CONNECT_TIMEOUT_MS);
  socket.setNoDelay(true);
  const total = Math.floor(perSecond * seconds);
  const payload = randomBytes(entrySize);
  const crc = entryChecksum(payload);
  const start = performance.now();
  /** When entry i was due: the sender's loop sends it once (i + 1) entries are due. */
  const dueAt = (entryId: number) => start + ((entryId + 1) * 1000) / perSecond;
  const latencies = new Float64Array(total);
  let answered = 0;
  let failure: Error | undefined;
  const parser = new FrameParser();
  socket.on('data', (chunk: Buffer) => {
    const now = performance.now();
    try {
      for (const frame of parser.push(chunk)) {
        if (frame.command === Command.ERROR) {
          const e = decodeError(frame);
          throw new Error(`request ${frame.requestId} answered ERROR ${e.code}: ${e.message}`);
        }
        const res = decodeAddEntryResponse(frame);
        if (res.ledgerId !== ledgerId || res.entryId !== frame.requestId - 1 || answered >= total) throw new Error(`unexpected answer for entry ${res.entryId} of ledger ${res.ledgerId}`);
        if (res.status !== expectedStatus) throw new Error(`add ${res.entryId}: status ${res.status}, expected ${expectedStatus}`);
        latencies[answered++] = now - dueAt(res.entryId);
      }
    } catch (err) {
      failure ??= err as Error;
      socket.destroy();
    }
  });
  socket.on('error', (err) => (failure ??= err));
  socket.on('close', () => {
    if (answered < total) failure ??= new Error(`the connection closed after ${answered} of ${total} answers`);
  });

  let sent = 0;
  let stalledMs = 0;
  try {
    while (sent < total && failure === undefined) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond));
      if (sent < due && sent - answered < maxInflight) {
        socket.cork();
        while (sent < due && sent - answered < maxInflight) {
          const entryId = sent++;
          for (const part of encodeAddEntry(entryId + 1, { ledgerId, entryId, lac: entryId - 1, payload, crc })) socket.write(part);
        }
        socket.uncork();
      }
      const t = performance.now();
      await new Promise((r) => setTimeout(r, 1));
      if (sent - answered >= maxInflight) stalledMs += performance.now() - t;
    }
    const deadline = performance.now() + ANSWER_GRACE_MS;
    while (answered < sent && failure === undefined) {
      if (performance.now() > deadline) throw new Error(`${sent - answered} adds unanswered ${ANSWER_GRACE_MS} ms after the last was sent`);
      await new Promise((r) => setTimeout(r, 1));
    }
    if (failure !== undefined) throw failure;
  } finally {
    socket.destroy();
  }
  const latency = new LatencySamples();
  for (let i = 0; i < answered; i++) latency.add(latencies[i]!);
  return { latency, stalledMs, maxInflight };
}
