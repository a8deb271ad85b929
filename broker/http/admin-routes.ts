// Admin routes: topics (create, list, stats, delete), brokers, bookies, ownership, rebalance and drain,
// and the status of auto-recovery.
import type { FastifyInstance } from 'fastify';
import type { AutoRecoveryStatus } from '../../ledger/index.js';
import { NotFoundError } from '../errors.js';
import { checkName, topicName } from '../topics/topic-name.js';
import { MAX_PARTITIONS } from '../topics/topic-store.js';
import type { BrokerApi } from './broker-api.js';

const nameParam = { type: 'string', minLength: 1, maxLength: 128 } as const;
const topicParams = {
  type: 'object',
  required: ['tenant', 'ns', 'topic'],
  properties: { tenant: nameParam, ns: nameParam, topic: nameParam },
} as const;

interface TopicParams {
  tenant: string;
  ns: string;
  topic: string;
}

/** Where the auto-recovery status comes from (the broker's AutoRecovery); absent when it does not run one. */
export interface AutoRecoveryStatusSource {
  status(): Promise<AutoRecoveryStatus>;
}

const autoRecoveryResponse = {
  200: {
    type: 'object',
    required: ['underReplicated', 'replicatedFragments', 'copiedEntries', 'lastRun', 'running', 'runner'],
    properties: {
      underReplicated: { type: 'integer' },
      replicatedFragments: { type: 'integer' },
      copiedEntries: { type: 'integer' },
      lastRun: { type: ['string', 'null'] },
      running: { type: 'boolean' },
      runner: { type: ['string', 'null'] },
    },
  },
} as const;

export function registerAdminRoutes(app: FastifyInstance, api: BrokerApi, autoRecovery?: AutoRecoveryStatusSource): void {
  app.put<{ Params: TopicParams; Body: { partitions?: number } }>(
    '/admin/v1/topics/:tenant/:ns/:topic',
    {
      schema: {
        params: topicParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { partitions: { type: 'integer', minimum: 1, maximum: MAX_PARTITIONS } },
        },
      },
    },
    async (req, reply) => {
      const name = topicName(req.params.tenant, req.params.ns, req.params.topic);
      const partitions = req.body?.partitions ?? 1;
      const result = await api.createTopic(name, partitions);
      if (result === 'exists') return reply.status(204).send();
      return reply.status(201).send({ name: name.full, partitions });
    },
  );

  app.get<{ Params: { tenant: string; ns: string } }>(
    '/admin/v1/topics/:tenant/:ns',
    { schema: { params: { type: 'object', required: ['tenant', 'ns'], properties: { tenant: nameParam, ns: nameParam } } } },
    async (req) => {
      checkName('tenant', req.params.tenant);
      checkName('namespace', req.params.ns);
      return { topics: await api.listTopics(req.params.tenant, req.params.ns) };
    },
  );

  app.get<{ Params: TopicParams }>('/admin/v1/topics/:tenant/:ns/:topic', { schema: { params: topicParams } }, async (req) => {
    return api.topicStats(topicName(req.params.tenant, req.params.ns, req.params.topic));
  });

  app.delete<{ Params: TopicParams }>('/admin/v1/topics/:tenant/:ns/:topic', { schema: { params: topicParams } }, async (req, reply) => {
    await api.deleteTopic(topicName(req.params.tenant, req.params.ns, req.params.topic));
    return reply.status(204).send();
  });

  app.get('/admin/v1/brokers', async () => ({ brokers: await api.brokers() }));
  app.get('/admin/v1/bookies', async () => ({ bookies: await api.bookies() }));
  app.get('/admin/v1/ownership', async () => ({ ownership: await api.ownership() }));
  app.get('/admin/v1/load', async () => api.load());

  // Both answer once every move is done; each move is a clean unload on the owner and a load on the target.
  app.post<{ Body: Record<string, never> | undefined }>(
    '/admin/v1/rebalance',
    { schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: {} } } },
    async () => ({ moved: await api.rebalance() }),
  );
  app.post<{ Params: { id: string } }>(
    '/admin/v1/brokers/:id/drain',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 256 } } } } },
    async (req) => ({ moved: await api.drain(req.params.id) }),
  );

  app.get('/admin/v1/auto-recovery', { schema: { response: autoRecoveryResponse } }, async () => {
    if (!autoRecovery) throw new NotFoundError('auto-recovery does not run on this broker (standalone runs none: it has a single bookie)');
    return autoRecovery.status();
  });
}
