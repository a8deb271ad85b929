// Standalone killed with kill -9 while producing and acking, then restarted: every acknowledged
// message is there exactly once, no acknowledged message is delivered again, and resends of
// acknowledged produce calls are recognised as duplicates.
import { afterEach, describe, expect, it } from 'vitest';
import { call } from '../../helpers/broker-harness.js';
import { StandaloneProcess } from '../../helpers/standalone-process.js';

describe('standalone crash (kill -9)', () => {
  let sa: StandaloneProcess | undefined;
  afterEach(async () => {
    await sa?.destroy();
    sa = undefined;
  });

  it('loses no acknowledged produce or ack, and keeps deduplicating after a restart', async () => {
    sa = await StandaloneProcess.create();
    await sa.start();
    const base = '/v1/topics/public/default/crash';
    expect((await call(sa.url, 'PUT', '/admin/v1/topics/public/default/crash', { partitions: 2 })).status).toBe(201);

    const producedOk: Array<{ seq: number; value: string }> = [];
    const requests: Array<{ producer: string; messages: Array<{ key: string; value: string; sequenceId: number }> }> = [];
    const ackedIds = new Set<string>();
    const ackedValues = new Set<string>();
    let stop = false;
    let seq = 0;
    const producer = (async () => {
      while (!stop) {
        const messages = Array.from({ length: 5 }, () => {
          const s = seq++;
          return { key: `k${s % 7}`, value: `m${s}`, sequenceId: s };
        });
        const body = { producer: 'p1', messages };
        requests.push(body);
        const res = await call(sa!.url, 'POST', `${base}/messages`, body).catch(() => undefined);
        if (res?.status === 200) for (const m of messages) producedOk.push({ seq: m.sequenceId, value: m.value });
        else break;
      }
    })();
    const consumer = (async () => {
      while (!stop) {
        const got = await call(sa!.url, 'POST', `${base}/subscriptions/work/receive`, { max: 20, waitMs: 100 }).catch(() => undefined);
        if (!got || got.status !== 200) break;
        const msgs = got.body.messages as Array<{ id: string; value: string }>;
        if (msgs.length === 0) continue;
        const acked = await call(sa!.url, 'POST', `${base}/subscriptions/work/ack`, { ids: msgs.map((m) => m.id) }).catch(() => undefined);
        if (acked?.status !== 200) break;
        for (const m of msgs) {
          ackedIds.add(m.id);
          ackedValues.add(m.value);
        }
      }
    })();
    while (producedOk.length < 300 || ackedIds.size < 100) await new Promise((r) => setTimeout(r, 20));
    await sa.kill9();
    stop = true;
    await Promise.all([producer, consumer]);
    const okBeforeCrash = producedOk.length;

    await sa.start();
    // Every acknowledged message is stored exactly once: a fresh subscription reads the whole log.
    const all: Array<{ value: string }> = [];
    for (;;) {
      const got = await call(sa.url, 'POST', `${base}/subscriptions/audit/receive`, { max: 500, waitMs: 300 });
      if (got.body.messages.length === 0) break;
      all.push(...got.body.messages);
      await call(sa.url, 'POST', `${base}/subscriptions/audit/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
    }
    const counts = new Map<string, number>();
    for (const m of all) counts.set(m.value, (counts.get(m.value) ?? 0) + 1);
    for (const m of producedOk) expect(counts.get(m.value), `acknowledged ${m.value}`).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Resending every produce request (the last one's outcome was unknown): nothing is stored twice.
    for (const body of requests) {
      const res = await call(sa.url, 'POST', `${base}/messages`, body);
      expect(res.status).toBe(200);
    }
    const lastAcked = requests.filter((r) => r.messages.every((m) => producedOk.some((p) => p.seq === m.sequenceId))).slice(-1)[0]!;
    const resend = await call(sa.url, 'POST', `${base}/messages`, lastAcked);
    expect(resend.body.results.every((r: { duplicate?: boolean }) => r.duplicate === true)).toBe(true);
    const afterResend: Array<{ value: string }> = [];
    for (;;) {
      const got = await call(sa.url, 'POST', `${base}/subscriptions/audit/receive`, { max: 500, waitMs: 300 });
      if (got.body.messages.length === 0) break;
      afterResend.push(...got.body.messages);
      await call(sa.url, 'POST', `${base}/subscriptions/audit/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
    }
    // Only the in-flight request (if it had not been stored) may add messages now.
    for (const m of afterResend) expect(counts.has(m.value), `${m.value} stored twice`).toBe(false);
    // No message acknowledged on `work` is delivered to it again.
    const redelivered: string[] = [];
    for (;;) {
      const got = await call(sa.url, 'POST', `${base}/subscriptions/work/receive`, { max: 500, waitMs: 300 });
      if (got.body.messages.length === 0) break;
      for (const m of got.body.messages as Array<{ id: string; value: string }>) if (ackedIds.has(m.id)) redelivered.push(m.value);
      await call(sa.url, 'POST', `${base}/subscriptions/work/ack`, { ids: got.body.messages.map((m: { id: string }) => m.id) });
    }
    expect(redelivered).toEqual([]);
    console.log(`standalone crash: ${okBeforeCrash} messages acknowledged to the producer and ${ackedIds.size} acks answered before kill -9; all present once after restart, none redelivered`);
  });
});
