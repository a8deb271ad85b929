// GET /admin/v1/auto-recovery through fastify's inject: the status as the AutoRecovery reports it, and
// a clear 404 on a broker that runs none.
import { describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../../../broker/http/http-server.js';
import type { BrokerApi } from '../../../../broker/http/broker-api.js';
import type { AutoRecoveryStatus } from '../../../../ledger/index.js';

const api = { brokerId: 'b1', isReady: () => true, health: () => ({}) } as unknown as BrokerApi;

describe('GET /admin/v1/auto-recovery', () => {
  it('answers the auto-recovery status', async () => {
    const status: AutoRecoveryStatus = { underReplicated: 2, replicatedFragments: 5, copiedEntries: 120, lastRun: '2026-01-01T00:00:00.000Z', running: true, runner: 'b2' };
    const app = buildHttpServer(api, { autoRecovery: { status: async () => ({ ...status, internal: 'not serialised' }) as AutoRecoveryStatus } });
    const res = await app.inject({ method: 'GET', url: '/admin/v1/auto-recovery' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(status);
    await app.close();
  });

  it('answers null lastRun and runner before any round and with no runner', async () => {
    const status: AutoRecoveryStatus = { underReplicated: 0, replicatedFragments: 0, copiedEntries: 0, lastRun: null, running: false, runner: null };
    const app = buildHttpServer(api, { autoRecovery: { status: async () => status } });
    expect((await app.inject({ method: 'GET', url: '/admin/v1/auto-recovery' })).json()).toEqual(status);
    await app.close();
  });

  it('answers 404 NOT_FOUND on a broker that runs no auto-recovery', async () => {
    const app = buildHttpServer(api);
    const res = await app.inject({ method: 'GET', url: '/admin/v1/auto-recovery' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    await app.close();
  });
});
