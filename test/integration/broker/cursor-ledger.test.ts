// An ack state too large for a metadata value moves to a cursor ledger, never truncated; it is read
// back after a restart with every individual ack intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, parseJson } from '../../../metadata/index.js';
import { BrokerHarness, call } from '../../helpers/broker-harness.js';

describe('cursor ledger', () => {
  let h: BrokerHarness;
  beforeAll(async () => {
    h = await BrokerHarness.start(1);
  });
  afterAll(() => h?.destroy());

  it('keeps a large ack state in a cursor ledger and restores every ack from it', async () => {
    const config = { cursorInlineMaxBytes: 16 };
    const a = await h.broker(config);
    const base = '/v1/topics/public/default/scattered';
    await call(a.httpUrl, 'PUT', '/admin/v1/topics/public/default/scattered', { partitions: 1 });
    for (let i = 0; i < 40; i++) await call(a.httpUrl, 'POST', `${base}/messages`, { messages: [{ value: `m${i}` }] });
    const got = await call(a.httpUrl, 'POST', `${base}/subscriptions/s/receive`, { max: 100, waitMs: 200 });
    expect(got.body.messages).toHaveLength(40);
    // Every other message acked: twenty separate ranges, beyond 16 bytes inline.
    const acked = got.body.messages.filter((_: unknown, i: number) => i % 2 === 1);
    expect((await call(a.httpUrl, 'POST', `${base}/subscriptions/s/ack`, { ids: acked.map((m: { id: string }) => m.id) })).body).toEqual({ acked: 20 });
    const stored = parseJson<{ ackState?: string; ledger?: { ledgerId: number } }>((await h.store.get(keys.cursor({ topic: 'public/default/scattered', partition: 0 }, 's')))!.value);
    expect(stored.ackState).toBeUndefined();
    expect(stored.ledger?.ledgerId).toBeGreaterThan(0);
    await a.stop();

    const b = await h.broker(config);
    const again = await call(b.httpUrl, 'POST', `${base}/subscriptions/s/receive`, { max: 100, waitMs: 200 });
    expect(again.body.messages.map((m: { value: string }) => m.value)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i * 2}`));
  });
});
