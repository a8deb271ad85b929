// The load generator of bench:bookie's latency phases: adds at a fixed rate (open loop) on a raw socket.
// Frames come from the protocol's own encoder, but nothing is kept per add except its send time in a
// preallocated array: no promise, closure or pending-request entry. On 2 cores the generator shares the
// CPU with the bookie, and a client's per-add promises and their garbage collections would be counted
// as the bookie's latency.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { FrameParser, encodeAddEntry, entryChecksum } from '../../protocol/index.js';
import { parseAddress } from '../../ledger/index.js';
import { LatencySamples } from './histogram.js';

export interface OpenLoopOptions {
  ledgerId: number;
  entrySize: number;
  perSecond: number;
  seconds: number;
  /** The status every answer must carry (an add answered otherwise fails the run). */
  expectedStatus: number;
  /** Adds waiting at most; beyond it the sender stalls (and reports how long). Default 5000. */
  maxInflight?: number;
}

export interface OpenLoopResult {
  latency: LatencySamples;
  /** Time the sender waited because maxInflight adds were unanswered: the rate was not sustained. */
  stalledMs: number;
}

const ANSWER_GRACE_MS = 60_000;

export async function sendAtRate(address: string, options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ledgerId, entrySize, perSecond, seconds, expectedStatus, maxInflight = 5000 } = options;
  const { host, port } = parseAddress(address);
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const total = Math.floor(perSecond * seconds);
  const payload = randomBytes(entrySize);
  const crc = entryChecksum(payload);
  const sentAt = new Float64Array(total + 1); // by request id = entry id + 1
  const latencies = new Float64Array(total);
  let answered = 0;
  let failure: Error | undefined;
  const parser = new FrameParser();
  socket.on('data', (chunk: Buffer) => {
    const now = performance.now();
    for (const frame of parser.push(chunk)) {
      const status = frame.body.length >= 2 ? frame.body.readUInt16BE(0) : -1; // an add answer's body starts with its status
      if (status !== expectedStatus) failure ??= new Error(`add ${frame.requestId - 1}: status ${status}, command ${frame.command}`);
      latencies[answered++] = now - sentAt[frame.requestId]!;
    }
  });
  socket.on('error', (err) => (failure ??= err));
  socket.on('close', () => {
    if (answered < total) failure ??= new Error(`the bookie closed the connection after ${answered} answers`);
  });

  let sent = 0;
  let stalledMs = 0;
  const start = performance.now();
  try {
    while (sent < total && failure === undefined) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond));
      if (sent < due && sent - answered < maxInflight) {
        socket.cork();
        const t = performance.now();
        while (sent < due && sent - answered < maxInflight) {
          const entryId = sent++;
          sentAt[entryId + 1] = t;
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
  return { latency, stalledMs };
}
