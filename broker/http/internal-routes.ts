// Routes brokers use to forward requests for partitions to their owner (or, for an unowned partition, to
// the broker the claim rule names, which claims it), and to move partitions (unload on the owner, load on
// the target). A request is never forwarded again: a partition served elsewhere answers 503 and the
// caller looks it up once more.
import type { FastifyInstance } from 'fastify';
import type { PartitionRef } from '../../metadata/index.js';
import { topicName } from '../topics/topic-name.js';
import type { IncomingMessage, PartitionStats, ProduceResult, ReceiveOptions, ReceivedMessage } from './broker-api.js';

export interface InternalBrokerApi {
  localProduce(p: PartitionRef, producer: string | undefined, messages: IncomingMessage[]): Promise<ProduceResult[]>;
  localReceive(p: PartitionRef, subscription: string, options: ReceiveOptions): Promise<ReceivedMessage[]>;
  localAck(p: PartitionRef, subscription: string, ids: string[], action: 'ack' | 'nack'): Promise<number>;
  localStats(p: PartitionRef): Promise<PartitionStats>;
  localDelete(p: PartitionRef): Promise<void>;
  /** Closes and releases `p` for a move to broker `to` (binary clients are sent to `binaryUrl`); false if not loaded here. */
  localUnload(p: PartitionRef, to: string, binaryUrl: string): Promise<boolean>;
  /** Claims and loads `p` for a move; resolves once it serves. */
  localLoad(p: PartitionRef): Promise<void>;
  /** The load manager's leader places unowned `p` (PartitionUnavailableError when this broker is not the leader). */
  placePartition(p: PartitionRef): Promise<string | undefined>;
}

interface PartitionParams {
  tenant: string;
  ns: string;
  topic: string;
  p: string;
  sub?: string;
}

const name = { type: 'string', minLength: 1, maxLength: 128 } as const;
const params = {
  type: 'object',
  required: ['tenant', 'ns', 'topic', 'p'],
  properties: { tenant: name, ns: name, topic: name, p: { type: 'string', pattern: '^[0-9]{1,4}$' }, sub: name },
} as const;
const schema = { params };

function ref(params: PartitionParams): PartitionRef {
  return { topic: topicName(params.tenant, params.ns, params.topic).full, partition: Number(params.p) };
}

export function registerInternalRoutes(app: FastifyInstance, api: InternalBrokerApi): void {
  const base = '/internal/v1/partitions/:tenant/:ns/:topic/:p';
  app.post<{ Params: PartitionParams; Body: { producer?: string; messages: Array<{ key?: string; valueBase64: string; properties: Record<string, string>; sequenceId?: number; eventTime?: number }> } }>(
    `${base}/produce`,
    { schema },
    async (req) => {
      const messages = req.body.messages.map((m) => ({ ...m, value: Buffer.from(m.valueBase64, 'base64') }));
      return { results: await api.localProduce(ref(req.params), req.body.producer, messages) };
    },
  );
  app.post<{ Params: PartitionParams; Body: ReceiveOptions }>(`${base}/subscriptions/:sub/receive`, { schema }, async (req) => {
    const messages = await api.localReceive(ref(req.params), req.params.sub!, req.body);
    return { messages: messages.map(({ value, ...m }) => ({ ...m, valueBase64: value.toString('base64') })) };
  });
  for (const action of ['ack', 'nack'] as const) {
    app.post<{ Params: PartitionParams; Body: { ids: string[] } }>(`${base}/subscriptions/:sub/${action}`, { schema }, async (req) => {
      const n = await api.localAck(ref(req.params), req.params.sub!, req.body.ids, action);
      return action === 'ack' ? { acked: n } : { nacked: n };
    });
  }
  app.get<{ Params: PartitionParams }>(`${base}/stats`, { schema }, async (req) => api.localStats(ref(req.params)));
  app.post<{ Params: PartitionParams; Body: { to: string; binaryUrl?: string } }>(
    `${base}/unload`,
    {
      schema: {
        params,
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: { to: { type: 'string', minLength: 1, maxLength: 256 }, binaryUrl: { type: 'string', maxLength: 2048 } },
        },
      },
    },
    async (req) => ({ unloaded: await api.localUnload(ref(req.params), req.body.to, req.body.binaryUrl ?? '') }),
  );
  app.post<{ Params: PartitionParams }>('/internal/v1/placement/:tenant/:ns/:topic/:p', { schema }, async (req) => ({
    brokerId: (await api.placePartition(ref(req.params))) ?? null,
  }));
  app.post<{ Params: PartitionParams }>(`${base}/load`, { schema }, async (req) => {
    await api.localLoad(ref(req.params));
    return { loaded: true };
  });
  app.delete<{ Params: PartitionParams }>(base, { schema }, async (req, reply) => {
    await api.localDelete(ref(req.params));
    return reply.status(204).send();
  });
}
