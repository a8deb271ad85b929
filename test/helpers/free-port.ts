// Free loopback TCP ports for test servers.
//
// Ports come from below the kernel's ephemeral range. A port released after a bind to port 0 is an
// ephemeral port: any outgoing connection (an etcd client, an S3 request) may take it before the
// server meant to have it binds, or while a bookie is down between a kill and its restart on the same
// address; a client reconnecting to it while its server is down can even connect to itself and hold
// it (common/self-connect.ts). Below that range only explicit binds compete, so each vitest worker
// (and the global setup, slot 0) draws from its own slice, starting at a random offset, and a
// candidate is used only if a bind to it succeeds right now.
import fs from 'node:fs';
import net from 'node:net';

const SLOTS = 16;
const LOWEST = 16_000;
const SLICE_MIN = 200;

/** The ports test servers may use: below the ephemeral range if it leaves room, else above it. */
function usableRange(): { first: number; size: number } {
  let low = 32_768;
  let high = 60_999;
  try {
    [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
  } catch {
    // not Linux: assume its default range
  }
  if (low - LOWEST >= SLOTS * SLICE_MIN) return { first: LOWEST, size: low - LOWEST };
  if (65_535 - high >= SLOTS * SLICE_MIN) return { first: high + 1, size: 65_535 - high };
  throw new Error(`the ephemeral port range ${low}–${high} leaves no room for test servers outside it`);
}

const poolId = Number(process.env.VITEST_POOL_ID ?? 0);
if (!(Number.isInteger(poolId) && poolId >= 0 && poolId < SLOTS)) throw new Error(`free-port: VITEST_POOL_ID ${poolId} is outside 0–${SLOTS - 1}`);
const range = usableRange();
const sliceSize = Math.floor(range.size / SLOTS);
const sliceStart = range.first + poolId * sliceSize;
let next = Math.floor(Math.random() * sliceSize);

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tried = 0; tried < sliceSize; tried++) {
    const port = sliceStart + (next++ % sliceSize);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}–${sliceStart + sliceSize - 1}`);
}

export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) ports.push(await freePort());
  return ports;
}
