// The TypeScript client against a real broker (in process, on real bookie processes and the run's etcd):
// produce and consume over the binary protocol, exclusive and failover semantics, acks, nacks, readers.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../common/index.js';
import { connect, MessageId, SequenceChecker, type Consumer, type Message } from '../../../client/index.js';
import { clientCommands, Command, CompressionCodec, encodeCommand, encodeMessageBatch, FrameParser, decodeError } from '../../../protocol/index.js';
import { call } from '../../helpers/broker-harness.js';
import { useClientTestBed } from '../../helpers/client-test-bed.js';

const bed = useClientTestBed('t');
const newTopic = (partitions?: number): Promise<string> => bed.newTopic(partitions);

async function take(consumer: Consumer, n: number, timeoutMs = 15_000): Promise<Message[]> {
  const out: Message[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    while (out.length < n) out.push(await consumer.receive(signal));
  } catch (err) {
    throw new Error(`received ${out.length} of ${n} messages`, { cause: err });
  }
  return out;
}

describe('binary client', () => {
  it('stores batched sends in order and an exclusive consumer receives them in order, once acked never again', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: { maxMessages: 50, maxDelayMs: 2 } });
    const ids = await Promise.all(Array.from({ length: 500 }, (_, i) => producer.send({ value: `m${i}`, properties: { i: String(i) } })));
    for (let i = 1; i < ids.length; i++) expect(ids[i]!.compareTo(ids[i - 1]!)).toBeGreaterThan(0);
    const consumer = await bed.client.consumer({ topic, subscription: 's', initialPosition: 'earliest', receiverQueueSize: 64 });
    const got = await take(consumer, 500);
    expect(got.map((m) => m.value.toString())).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));
    expect(got.map((m) => m.id.toString())).toEqual(ids.map((id) => id.toString()));
    expect(got[7]!.properties.i).toBe('7');
    expect(got[7]!.producerName).toBe(producer.names[0]);
    await Promise.all(got.map((m) => consumer.ack(m)));
    await consumer.close();
    const again = await bed.client.consumer({ topic, subscription: 's', initialPosition: 'earliest' });
    await producer.send('after');
    const [next] = await take(again, 1);
    expect(next!.value.toString()).toBe('after');
    await again.close();
    await producer.close();
  });

  it('refuses a second consumer on an exclusive subscription with CONSUMER_BUSY', async () => {
    const topic = await newTopic();
    const first = await bed.client.consumer({ topic, subscription: 'ex', type: 'exclusive' });
    const other = await connect(bed.broker.binaryUrl, { operationTimeoutMs: 1_000 });
    await expect(other.consumer({ topic, subscription: 'ex', type: 'exclusive' })).rejects.toMatchObject({ code: 'CONSUMER_BUSY' });
    await other.close();
    await first.close();
  });

  it('failover: the standby becomes active when the active consumer leaves and gets the unacked messages again', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: false });
    for (let i = 0; i < 20; i++) await producer.send(`f${i}`);
    const changes: boolean[] = [];
    const a = await bed.client.consumer({ topic, subscription: 'fo', type: 'failover', name: 'a', initialPosition: 'earliest' });
    const client2 = await connect(bed.broker.binaryUrl);
    const b = await client2.consumer({ topic, subscription: 'fo', type: 'failover', name: 'b', initialPosition: 'earliest', onActiveChange: (_, active) => changes.push(active) });
    expect(a.activePartitions).toEqual([0]);
    expect(b.activePartitions).toEqual([]);
    const first = await take(a, 20);
    for (const m of first.slice(0, 10)) await a.ack(m);
    await a.close();
    await waitFor('b active', () => b.activePartitions.length === 1, { timeoutMs: 10_000 });
    const rest = await take(b, 10);
    expect(rest.map((m) => m.value.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `f${i + 10}`));
    expect(rest.every((m) => m.redeliveryCount === 1)).toBe(true);
    expect(changes).toEqual([true]);
    await b.close();
    await client2.close();
    await producer.close();
  });

  it('a cumulative ack acknowledges everything up to the message, inside a batch too', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: { maxMessages: 10, maxDelayMs: 50 } });
    await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send(`c${i}`)));
    const consumer = await bed.client.consumer({ topic, subscription: 'cum', initialPosition: 'earliest' });
    const got = await take(consumer, 30);
    await consumer.ackCumulative(got[14]!);
    await consumer.close();
    const again = await bed.client.consumer({ topic, subscription: 'cum', initialPosition: 'earliest' });
    const rest = await take(again, 15);
    expect(rest.map((m) => m.value.toString())).toEqual(Array.from({ length: 15 }, (_, i) => `c${i + 15}`));
    await again.close();
    await producer.close();
  });

  it('a nacked message is delivered again with its redelivery count; acked neighbours in its batch are skipped', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: { maxMessages: 3, maxDelayMs: 50 } });
    await Promise.all(['x0', 'x1', 'x2'].map((v) => producer.send(v)));
    const consumer = await bed.client.consumer({ topic, subscription: 'nk', initialPosition: 'earliest' });
    const got = await take(consumer, 3);
    expect(got[0]!.batchSize).toBe(3);
    await consumer.ack(got[0]!);
    await consumer.ack(got[2]!);
    await consumer.nack(got[1]!);
    const [again] = await take(consumer, 1);
    expect(again!.value.toString()).toBe('x1');
    expect(again!.redeliveryCount).toBe(1);
    await consumer.close();
    await producer.close();
  });

  it('ack timeout delivers unacknowledged messages again', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic });
    await producer.send('slow');
    const consumer = await bed.client.consumer({ topic, subscription: 'at', initialPosition: 'earliest', ackTimeoutMs: 300 });
    const [first] = await take(consumer, 1);
    const [second] = await take(consumer, 1);
    expect(second!.id.equals(first!.id)).toBe(true);
    expect(second!.redeliveryCount).toBe(1);
    await consumer.close();
    await producer.close();
  });

  it('latest subscriptions start after what is stored; readers start where they are told', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: { maxMessages: 4, maxDelayMs: 20 } });
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => producer.send(`r${i}`)));
    const latest = await bed.client.consumer({ topic, subscription: 'late' });
    await producer.send('r8');
    expect((await take(latest, 1))[0]!.value.toString()).toBe('r8');
    const fromEarliest = await bed.client.reader({ topic, startMessageId: 'earliest' });
    expect((await take(fromEarliest, 9)).map((m) => m.value.toString())).toEqual(Array.from({ length: 9 }, (_, i) => `r${i}`));
    const fromId = await bed.client.reader({ topic, startMessageId: ids[5]!.toString() });
    expect((await take(fromId, 3)).map((m) => m.value.toString())).toEqual(['r5', 'r6', 'r7']);
    const fromLatest = await bed.client.reader({ topic, startMessageId: 'latest' });
    await producer.send('r9');
    expect((await take(fromLatest, 1))[0]!.value.toString()).toBe('r9');
    for (const c of [latest, fromEarliest, fromId, fromLatest]) await c.close();
    await producer.close();
  });

  it('shares deduplication with the HTTP path: a named producer resuming after what HTTP stored', async () => {
    const topic = await newTopic();
    const http = await call(bed.broker.httpUrl, 'POST', `/v1/topics/${topic}/messages`, { producer: 'shared-p', messages: [{ value: 'h0', sequenceId: 0 }, { value: 'h1', sequenceId: 1 }] });
    expect(http.status).toBe(200);
    const producer = await bed.client.producer({ topic, name: 'shared-p' });
    await producer.send('b2');
    const dup = await call(bed.broker.httpUrl, 'POST', `/v1/topics/${topic}/messages`, { producer: 'shared-p', messages: [{ value: 'b2', sequenceId: 2 }] });
    expect(dup.body.results[0].duplicate).toBe(true);
    const reader = await bed.client.reader({ topic, startMessageId: 'earliest' });
    const got = await take(reader, 3);
    expect(got.map((m) => [m.value.toString(), m.sequenceId])).toEqual([['h0', 0], ['h1', 1], ['b2', 2]]);
    await reader.close();
    await producer.close();
  });

  it('partitioned topics: keys route like the HTTP API and every partition is consumed', async () => {
    const topic = await newTopic(3);
    const producer = await bed.client.producer({ topic });
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => producer.send({ key: `k${i % 6}`, value: `v${i}` })));
    const http = await call(bed.broker.httpUrl, 'POST', `/v1/topics/${topic}/messages`, { messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: 'x' })) });
    for (let i = 0; i < 6; i++) expect(sent[i]!.partition).toBe(http.body.results[i].partition);
    const consumer = await bed.client.consumer({ topic, subscription: 'all', initialPosition: 'earliest' });
    const got = await take(consumer, 66);
    expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
    for (let k = 0; k < 6; k++) {
      const values = got.filter((m) => m.key === `k${k}` && m.value.toString() !== 'x').map((m) => Number(m.value.toString().slice(1)));
      expect(values).toEqual(Array.from({ length: 10 }, (_, j) => k + 6 * j));
    }
    await consumer.close();
    await producer.close();
  });

  it('counts binary connections, stored, pushed and acknowledged messages in /metrics', async () => {
    const metrics = await (await fetch(`${bed.broker.httpUrl}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(value('strata_broker_binary_connections')).toBeGreaterThanOrEqual(1);
    expect(value('strata_broker_messages_in_total')).toBeGreaterThanOrEqual(500);
    expect(value('strata_broker_messages_out_total')).toBeGreaterThanOrEqual(500);
    expect(value('strata_broker_acks_total')).toBeGreaterThanOrEqual(500);
  });

  it('an exclusive consumer that comes back gets what it was sent and did not ack with its redelivery count raised', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: false });
    for (let i = 0; i < 3; i++) await producer.send(`e${i}`);
    const first = await bed.client.consumer({ topic, subscription: 'back', initialPosition: 'earliest' });
    const got = await take(first, 3);
    await first.ack(got[0]!);
    await first.close();
    const second = await bed.client.consumer({ topic, subscription: 'back', initialPosition: 'earliest' });
    const again = await take(second, 2);
    expect(again.map((m) => [m.value.toString(), m.redeliveryCount])).toEqual([['e1', 1], ['e2', 1]]);
    await second.close();
    await producer.close();
  });

  it('refuses what cannot be sent without blocking the producer: an oversize value, an unsubscribing reader', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic });
    await expect(producer.send(Buffer.alloc(6 * 1024 * 1024))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await producer.send('small')).known).toBe(true);
    await producer.flush();
    const reader = await bed.client.reader({ topic, startMessageId: 'earliest' });
    await expect(reader.unsubscribe()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await reader.close();
    await producer.close();
    expect(() => MessageId.parse('not-an-id')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('runs interceptors before send, on acknowledgement, on receive and on ack; the sequence checker sees no gap', async () => {
    const topic = await newTopic();
    const seen: string[] = [];
    const producer = await bed.client.producer({
      topic,
      batching: { maxMessages: 4, maxDelayMs: 5 },
      interceptors: [
        { beforeSend: (m) => ({ ...m, properties: { ...m.properties, stamped: 'yes' } }) },
        { onSendAcknowledged: (m, r) => seen.push(`acked ${String(m.value)} ${'id' in r}`) },
      ],
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send(`i${i}`)));
    const checker = new SequenceChecker();
    const acks: string[] = [];
    const consumer = await bed.client.consumer({
      topic,
      subscription: 'int',
      initialPosition: 'earliest',
      interceptors: [checker, { onReceive: (m) => ({ ...m, properties: { ...m.properties, received: 'yes' } }), onAck: (m, cumulative) => void acks.push(`${m.value.toString()} ${cumulative}`) }],
    });
    const got = await take(consumer, 10);
    expect(got.every((m) => m.properties.stamped === 'yes' && m.properties.received === 'yes')).toBe(true);
    await consumer.ack(got[0]!);
    await consumer.ackCumulative(got[9]!);
    expect(acks).toEqual(['i0 false', 'i9 true']);
    expect(seen).toHaveLength(10);
    expect(seen.every((s) => s.endsWith('true'))).toBe(true);
    expect(checker.ok).toBe(true);
    expect(checker.checked).toBe(10);
    await consumer.close();
    await producer.close();
  });

  it('seeks a subscription back to a message id and forward to a publish time; a reader starts from a time', async () => {
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic, batching: { maxMessages: 3, maxDelayMs: 5 } });
    const early = await Promise.all(Array.from({ length: 6 }, (_, i) => producer.send(`s${i}`)));
    await new Promise((r) => setTimeout(r, 30));
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await Promise.all(Array.from({ length: 3 }, (_, i) => producer.send(`t${i}`)));
    const consumer = await bed.client.consumer({ topic, subscription: 'seek', initialPosition: 'earliest' });
    const all = await take(consumer, 9);
    for (const m of all) await consumer.ack(m);
    // Back to the middle of a batch: s4 and after come again.
    await consumer.seek(early[4]!);
    expect((await take(consumer, 5)).map((m) => m.value.toString())).toEqual(['s4', 's5', 't0', 't1', 't2']);
    // Forward by time: only what was published after the cut.
    await consumer.seek(cut);
    expect((await take(consumer, 3)).map((m) => m.value.toString())).toEqual(['t0', 't1', 't2']);
    await consumer.close();
    // The seek persisted: a new consumer of the subscription starts at the cut.
    const again = await bed.client.consumer({ topic, subscription: 'seek', initialPosition: 'earliest' });
    expect((await take(again, 3)).map((m) => m.value.toString())).toEqual(['t0', 't1', 't2']);
    await again.close();
    const reader = await bed.client.reader({ topic, startTime: cut });
    expect((await take(reader, 3)).map((m) => m.value.toString())).toEqual(['t0', 't1', 't2']);
    await reader.seek(early[1]!);
    expect((await take(reader, 2)).map((m) => m.value.toString())).toEqual(['s1', 's2']);
    await reader.close();
    await producer.close();
  });

  it('reads compressed (lz4) and uncompressed producers of one topic with one consumer and over HTTP', async () => {
    const topic = await newTopic();
    const plain = await bed.client.producer({ topic, name: 'plain' });
    const packed = await bed.client.producer({ topic, name: 'packed', compression: 'lz4', batching: { maxMessages: 50, maxDelayMs: 5 } });
    const big = 'x'.repeat(2000);
    await Promise.all([...Array.from({ length: 50 }, (_, i) => packed.send({ value: `${big}${i}`, key: `k${i}`, properties: { n: String(i) } })), plain.send('plain-0')]);
    const stats = await call(bed.broker.httpUrl, 'GET', `/admin/v1/topics/${topic}`);
    expect(stats.body.stats[0].bytesIn).toBeLessThan(50 * 2000);
    const consumer = await bed.client.consumer({ topic, subscription: 'mixed', initialPosition: 'earliest' });
    const got = await take(consumer, 51);
    const fromPacked = got.filter((m) => m.producerName === 'packed');
    expect(fromPacked.map((m) => m.value.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `${big}${i}`));
    expect(fromPacked[7]!.properties.n).toBe('7');
    expect(got.filter((m) => m.producerName === 'plain').map((m) => m.value.toString())).toEqual(['plain-0']);
    const http = await call(bed.broker.httpUrl, 'POST', `/v1/topics/${topic}/subscriptions/http/receive`, { max: 100, waitMs: 1000 });
    expect(http.body.messages.length).toBe(51);
    expect(new Set(http.body.messages.map((m: { value: string }) => m.value))).toEqual(new Set(got.map((m) => m.value.toString())));
    await consumer.close();
    await Promise.all([plain.close(), packed.close()]);
  });

  it('connects through the first URL that answers', async () => {
    const other = await connect(['strata://127.0.0.1:1', bed.broker.binaryUrl], { connectTimeoutMs: 2_000 });
    expect(await other.partitionCount(await newTopic(2))).toBe(2);
    await other.close();
  });

  it('reports an unknown topic as TOPIC_NOT_FOUND, not retriable', async () => {
    await expect(bed.client.producer({ topic: 'public/default/nope' })).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND', retriable: false });
  });
});

describe('binary protocol errors', () => {
  function rawConnection(): Promise<{ socket: net.Socket; frames: () => ReturnType<FrameParser['push']>; ended: Promise<void> }> {
    const url = new URL(bed.broker.binaryUrl.replace('strata://', 'http://'));
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => resolve({ socket, frames: () => received, ended }));
      const parser = new FrameParser();
      const received: ReturnType<FrameParser['push']> = [];
      socket.on('data', (c) => received.push(...parser.push(c)));
      const ended = new Promise<void>((r) => socket.on('close', () => r()));
      socket.on('error', reject);
    });
  }

  it('answers garbage with one ERROR frame and closes only that connection', async () => {
    const raw = await rawConnection();
    raw.socket.write(Buffer.from([0, 0, 0, 9, 0x02, 0x01, 0, 0, 0, 0, 0, 1, 0xff]));
    await raw.ended;
    const [error] = raw.frames();
    expect(error!.command).toBe(Command.ERROR);
    expect(decodeError(error!).code).toBe('MALFORMED_FRAME');
    const topic = await newTopic();
    const producer = await bed.client.producer({ topic });
    expect((await producer.send('still fine')).known).toBe(true);
    await producer.close();
  });

  it('refuses any command before CONNECT with NOT_CONNECTED, and versions it does not speak', async () => {
    const raw = await rawConnection();
    raw.socket.write(Buffer.concat(encodeCommand('PARTITION_METADATA', 1, { topic: 'a/b/c' })));
    await raw.ended;
    expect(decodeError(raw.frames()[0]!).code).toBe('NOT_CONNECTED');
    const raw2 = await rawConnection();
    raw2.socket.write(Buffer.concat(encodeCommand('CONNECT', 1, { minVersion: 7, maxVersion: 9, clientName: 'future' })));
    await raw2.ended;
    expect(decodeError(raw2.frames()[0]!).code).toBe('UNSUPPORTED_VERSION');
  });

  it('refuses a batch with a codec this broker does not have (zstd), an LZ4 flag over no LZ4 frame, an LZ4 batch without key hashes or messages that do not fill the payload, and stores nothing', async () => {
    const topic = await newTopic();
    const raw = await rawConnection();
    const batch = Buffer.concat(encodeMessageBatch({ producerName: 'pz', firstSequenceId: 0, publishTime: 1 }, [{ value: Buffer.from('v') }]));
    batch.writeUInt16BE(CompressionCodec.ZSTD, 6);
    const fakeLz4 = Buffer.from(batch);
    fakeLz4.writeUInt16BE(CompressionCodec.LZ4, 6);
    raw.socket.write(Buffer.concat(encodeCommand('CONNECT', 1, { minVersion: 1, maxVersion: 1, clientName: 'raw' })));
    raw.socket.write(Buffer.concat(encodeCommand('PRODUCER', 2, { producerId: 1, topic, partition: 0, producerName: 'pz' })));
    await waitFor('producer open', () => raw.frames().some((f) => f.requestId === 2 && f.command === clientCommands.PRODUCER_SUCCESS.code), { timeoutMs: 10_000 });
    // an LZ4 batch without its key hashes (header of producer 'pz' = 36 bytes, then 4 bytes per message)
    const lz4 = Buffer.concat(encodeMessageBatch({ producerName: 'pz', firstSequenceId: 0, publishTime: 1, compression: CompressionCodec.LZ4 }, [{ value: Buffer.from('v') }]));
    const noHashes = Buffer.concat([lz4.subarray(0, 36), lz4.subarray(40)]);
    noHashes.writeUInt16BE(CompressionCodec.LZ4, 6);
    // an uncompressed batch with a byte after its one message (payloadLength at offset 32 counts it)
    const trailing = Buffer.concat([Buffer.from(encodeMessageBatch({ producerName: 'pz', firstSequenceId: 0, publishTime: 1 }, [{ value: Buffer.from('v') }])[0]!), Buffer.from(batch.subarray(36)), Buffer.from([0])]);
    trailing.writeUInt32BE(trailing.readUInt32BE(32) + 1, 32);
    raw.socket.write(Buffer.concat(encodeCommand('SEND', 3, { producerId: 1, payload: batch })));
    raw.socket.write(Buffer.concat(encodeCommand('SEND', 4, { producerId: 1, payload: fakeLz4 })));
    raw.socket.write(Buffer.concat(encodeCommand('SEND', 5, { producerId: 1, payload: noHashes })));
    raw.socket.write(Buffer.concat(encodeCommand('SEND', 6, { producerId: 1, payload: trailing })));
    await waitFor('six answers', () => raw.frames().length >= 6, { timeoutMs: 10_000 });
    expect(decodeError(raw.frames().find((f) => f.requestId === 3)!).code).toBe('NOT_SUPPORTED');
    expect(decodeError(raw.frames().find((f) => f.requestId === 4)!).code).toBe('BAD_REQUEST');
    expect(decodeError(raw.frames().find((f) => f.requestId === 5)!).message).toMatch(/key hashes/);
    expect(decodeError(raw.frames().find((f) => f.requestId === 6)!).message).toMatch(/trailing bytes/);
    raw.socket.destroy();
    const stats = await call(bed.broker.httpUrl, 'GET', `/admin/v1/topics/${topic}`);
    expect(stats.body.stats[0].msgIn).toBe(0);
  });

  it('refuses a batch that does not name its producer, and stores nothing', async () => {
    const topic = await newTopic();
    const raw = await rawConnection();
    raw.socket.write(Buffer.concat(encodeCommand('CONNECT', 1, { minVersion: 1, maxVersion: 1, clientName: 'raw' })));
    raw.socket.write(Buffer.concat(encodeCommand('PRODUCER', 2, { producerId: 1, topic, partition: 0, producerName: 'p1' })));
    await waitFor('producer open', () => raw.frames().some((f) => f.requestId === 2 && f.command === clientCommands.PRODUCER_SUCCESS.code), { timeoutMs: 10_000 });
    raw.socket.write(Buffer.concat(encodeCommand('SEND', 3, { producerId: 1, payload: Buffer.from('not a batch at all') })));
    await waitFor('three answers', () => raw.frames().length >= 3, { timeoutMs: 10_000 });
    const error = raw.frames().find((f) => f.requestId === 3)!;
    expect(error.command).toBe(Command.ERROR);
    expect(decodeError(error).code).toBe('BAD_REQUEST');
    expect(decodeError(error).message).toMatch(/unreadable message batch/);
    raw.socket.destroy();
    const stats = await call(bed.broker.httpUrl, 'GET', `/admin/v1/topics/${topic}`);
    expect(stats.body.stats[0].msgIn).toBe(0);
    expect(MessageId.UNKNOWN.known).toBe(false);
  });
});
