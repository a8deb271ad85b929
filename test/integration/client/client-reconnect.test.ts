// The client across a graceful move (the owner stops: TOPIC_MOVED, then the connection closes) and against
// hostile input: acks of messages received before the move still count, the producer's pending bound holds,
// a slow consumer is pushed no more than its permits, and random bytes never hurt the broker.
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../broker/index.js';
import { waitFor } from '../../../common/index.js';
import { clientCommands, Command, decodeError, encodeCommand, FrameParser } from '../../../protocol/index.js';
import { connect, ProducerQueueFullError, type Consumer, type Message, type StrataClient } from '../../../client/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';
import { SeededRandom } from '../../helpers/seeded-random.js';

let harness: BrokerHarness;
let first: Broker;
let second: Broker;

beforeAll(async () => {
  harness = await BrokerHarness.start(1);
  first = await harness.broker({ id: 'broker-1', binaryPort: 0 });
  second = await harness.broker({ id: 'broker-2', binaryPort: 0 });
}, 60_000);

afterAll(async () => {
  await harness?.destroy();
});

async function take(consumer: Consumer, n: number): Promise<Message[]> {
  const out: Message[] = [];
  const signal = AbortSignal.timeout(20_000);
  while (out.length < n) out.push(await consumer.receive(signal));
  return out;
}

describe('client across a graceful move', () => {
  it('follows the partition to the next broker; acks of messages received before the move stick', { timeout: 60_000 }, async () => {
    expect((await call(first.httpUrl, 'PUT', '/admin/v1/topics/public/default/move', { partitions: 1 })).status).toBe(201);
    const client: StrataClient = await connect([first.binaryUrl, second.binaryUrl], { operationTimeoutMs: 30_000 });
    const producer = await client.producer({ topic: 'public/default/move', batching: { maxMessages: 5, maxDelayMs: 5 } });
    await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send(`g${i}`)));
    expect((await call(first.httpUrl, 'GET', '/admin/v1/ownership')).body.ownership[0].broker).toBe('broker-1');
    const consumer = await client.consumer({ topic: 'public/default/move', subscription: 'm', initialPosition: 'earliest', receiverQueueSize: 10 });
    const before = await take(consumer, 20);

    const stoppedAt = Date.now();
    await first.stop();
    // The producer resumes on broker-2 with its name: ids continue, nothing is stored twice.
    const after = await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send(`h${i}`)));
    const movedIn = Date.now() - stoppedAt;
    expect(after.every((id) => id.known)).toBe(true);
    expect((await call(second.httpUrl, 'GET', '/admin/v1/ownership')).body.ownership[0].broker).toBe('broker-2');
    // Acks of messages received from broker-1 go to broker-2 and are persisted there.
    await Promise.all(before.map((m) => consumer.ack(m)));
    await consumer.close();
    const again = await client.consumer({ topic: 'public/default/move', subscription: 'm', initialPosition: 'earliest' });
    const rest = await take(again, 30);
    expect(rest.map((m) => m.value.toString())).toEqual([...Array.from({ length: 20 }, (_, i) => `g${i + 20}`), ...Array.from({ length: 10 }, (_, i) => `h${i}`)]);
    await again.close();
    await producer.close();
    await client.close();
    console.log(`graceful move: the producer was answered by the new owner ${movedIn} ms after the old one began stopping`);
  });
});

describe('client bounds', () => {
  it('fails sends beyond the pending bound when told not to block, and blocks otherwise', async () => {
    expect((await call(second.httpUrl, 'PUT', '/admin/v1/topics/public/default/bound', { partitions: 1 })).status).toBe(201);
    const client = await connect(second.binaryUrl);
    const failing = await client.producer({ topic: 'public/default/bound', maxPendingMessages: 5, blockIfQueueFull: false, batching: { maxDelayMs: 50 } });
    const sends = Array.from({ length: 5 }, (_, i) => failing.send(`b${i}`));
    await expect(failing.send('one too many')).rejects.toBeInstanceOf(ProducerQueueFullError);
    await Promise.all(sends);
    const blocking = await client.producer({ topic: 'public/default/bound', maxPendingMessages: 5, batching: { maxDelayMs: 5 } });
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => blocking.send(`c${i}`)));
    expect(blocking.pendingMessages).toBe(0);
    expect(ids.length).toBe(50);
    await client.close();
  });

  it('pushes a consumer that does not take messages no more than its receiver queue', async () => {
    expect((await call(second.httpUrl, 'PUT', '/admin/v1/topics/public/default/slow', { partitions: 1 })).status).toBe(201);
    const client = await connect(second.binaryUrl);
    const producer = await client.producer({ topic: 'public/default/slow', batching: false });
    for (let i = 0; i < 100; i++) await producer.send(`s${i}`);
    const consumer = await client.consumer({ topic: 'public/default/slow', subscription: 'slow', initialPosition: 'earliest', receiverQueueSize: 10 });
    await waitFor('first push', () => (consumer as unknown as { queue: unknown[] }).queue.length >= 10, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect((consumer as unknown as { queue: unknown[] }).queue.length).toBe(10);
    const got = await take(consumer, 100);
    expect(got.map((m) => m.value.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`));
    await client.close();
  });
});

describe('hostile input on the binary port', () => {
  it('answers random, truncated and oversize frames with an error and a close of that connection only', { timeout: 60_000 }, async () => {
    const url = new URL(second.binaryUrl.replace('strata://', 'http://'));
    const random = new SeededRandom(0xbadf00d);
    for (let i = 0; i < 60; i++) {
      const kind = i % 3;
      const bytes =
        kind === 0
          ? Buffer.from(Array.from({ length: 1 + random.int(64) }, () => random.int(256)))
          : kind === 1
            ? Buffer.from([0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0])
            : Buffer.concat([Buffer.from([0, 0, 0, 20, 0x02, 0x0b, 0, 0, 0, 0, 0, 9]), Buffer.alloc(3)]);
      const received: Buffer[] = [];
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(url.port), url.hostname, () => {
          socket.write(bytes);
          if (kind === 2) socket.end();
        });
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
        setTimeout(() => {
          socket.destroy();
          // A connection waiting for the rest of a frame stays open until the peer goes: that is not a hang of the broker.
          resolve();
        }, 2_000).unref();
      });
      if (kind === 1) expect(Buffer.concat(received).toString('latin1')).toContain('FRAME_TOO_LARGE');
    }
    const client = await connect(second.binaryUrl);
    expect((await call(second.httpUrl, 'PUT', '/admin/v1/topics/public/default/after-fuzz', { partitions: 1 })).status).toBe(201);
    const producer = await client.producer({ topic: 'public/default/after-fuzz' });
    expect((await producer.send('alive')).known).toBe(true);
    await client.close();
  });
});

describe('TLS', () => {
  it('serves the binary protocol over TLS (strata+tls://) with the same commands', async () => {
    const [key, cert] = await Promise.all(['key.pem', 'cert.pem'].map((f) => readFile(new URL(`../../fixtures/tls/${f}`, import.meta.url))));
    const secure = await harness.broker({ id: 'broker-tls', binaryPort: 0, binaryTls: { key, cert } });
    expect(secure.binaryUrl).toMatch(/^strata\+tls:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(secure.httpUrl, 'PUT', '/admin/v1/topics/public/default/tls', { partitions: 1 })).status).toBe(201);
    // Claimed by the TLS broker, which the lookup then names.
    const client = await connect(secure.binaryUrl, { tls: { ca: cert } });
    const producer = await client.producer({ topic: 'public/default/tls' });
    const id = await producer.send('over tls');
    const reader = await client.reader({ topic: 'public/default/tls', startMessageId: id });
    expect((await reader.receive(AbortSignal.timeout(10_000))).value.toString()).toBe('over tls');
    await client.close();
    // Without trusting the certificate, the client refuses the connection.
    await expect(connect(secure.binaryUrl, { connectTimeoutMs: 5_000 })).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    await secure.stop();
  });
});

describe('heartbeats', () => {
  it('the broker pings an idle connection and closes one that stays silent for 3 intervals; the client answers and stays', { timeout: 30_000 }, async () => {
    const quick = await harness.broker({ id: 'broker-hb', binaryPort: 0, heartbeatIntervalMs: 200 });
    const url = new URL(quick.binaryUrl.replace('strata://', 'http://'));
    const parser = new FrameParser();
    const frames: ReturnType<FrameParser['push']> = [];
    const socket = net.connect(Number(url.port), url.hostname);
    socket.on('data', (c: Buffer) => frames.push(...parser.push(c)));
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.write(Buffer.concat(encodeCommand('CONNECT', 1, { minVersion: 1, maxVersion: 1, clientName: 'silent' })));
    const connectedAt = Date.now();
    const closedAt = await closed;
    expect(frames.some((f) => f.command === clientCommands.PING.code)).toBe(true);
    const error = frames.find((f) => f.command === Command.ERROR);
    expect(decodeError(error!).code).toBe('HEARTBEAT_TIMEOUT');
    expect(closedAt - connectedAt).toBeGreaterThanOrEqual(600);

    const client = await connect(quick.binaryUrl);
    expect((await call(quick.httpUrl, 'PUT', '/admin/v1/topics/public/default/hb', { partitions: 1 })).status).toBe(201);
    const conn = await client.connection(client.seeds[0]!);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(conn.isOpen).toBe(true);
    expect(await client.partitionCount('public/default/hb')).toBe(1);
    expect(await client.connection(client.seeds[0]!)).toBe(conn);
    await client.close();
    await quick.stop();
  });
});
