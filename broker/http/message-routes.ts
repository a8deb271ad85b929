// Produce and consume (queue semantics with a visibility timeout) routes.
import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../errors.js';
import { checkName, topicName } from '../topics/topic-name.js';
import type { BrokerApi, IncomingMessage, ReceivedMessage } from './broker-api.js';

export const MAX_MESSAGES_PER_REQUEST = 10_000;
export const MAX_KEY_CHARS = 65_536;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const nameParam = { type: 'string', minLength: 1, maxLength: 128 } as const;
const topicParams = {
  type: 'object',
  required: ['tenant', 'ns', 'topic'],
  properties: { tenant: nameParam, ns: nameParam, topic: nameParam },
} as const;
const subscriptionParams = {
  type: 'object',
  required: ['tenant', 'ns', 'topic', 'sub'],
  properties: { tenant: nameParam, ns: nameParam, topic: nameParam, sub: nameParam },
} as const;

interface TopicParams {
  tenant: string;
  ns: string;
  topic: string;
}
type SubscriptionParams = TopicParams & { sub: string };

interface ProduceBody {
  producer?: string;
  messages: Array<{ key?: string; value?: string; valueBase64?: string; properties?: Record<string, string>; sequenceId?: number; eventTime?: number }>;
}

const produceSchema = {
  type: 'object',
  required: ['messages'],
  additionalProperties: false,
  properties: {
    producer: { type: 'string', minLength: 1, maxLength: 256 },
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_MESSAGES_PER_REQUEST,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          key: { type: 'string', maxLength: MAX_KEY_CHARS },
          value: { type: 'string' },
          valueBase64: { type: 'string' },
          properties: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1024 },
          sequenceId: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          eventTime: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
    },
  },
} as const;

function toIncoming(body: ProduceBody): IncomingMessage[] {
  return body.messages.map((m, i) => {
    if ((m.value === undefined) === (m.valueBase64 === undefined)) {
      throw new InvalidRequestError(`messages[${i}]: give exactly one of value and valueBase64`);
    }
    if (m.valueBase64 !== undefined && (!BASE64.test(m.valueBase64) || m.valueBase64.length % 4 !== 0)) {
      throw new InvalidRequestError(`messages[${i}].valueBase64 is not valid base64`);
    }
    if (m.sequenceId !== undefined && body.producer === undefined) {
      throw new InvalidRequestError(`messages[${i}].sequenceId needs a producer name`);
    }
    const value = m.value !== undefined ? Buffer.from(m.value, 'utf8') : Buffer.from(m.valueBase64!, 'base64');
    return { key: m.key, value, properties: m.properties ?? {}, sequenceId: m.sequenceId, eventTime: m.eventTime };
  });
}

function present(m: ReceivedMessage) {
  return {
    id: m.id,
    partition: m.partition,
    key: m.key,
    value: m.value.toString('utf8'),
    valueBase64: m.value.toString('base64'),
    properties: m.properties,
    publishTime: m.publishTime,
    ...(m.eventTime ? { eventTime: m.eventTime } : {}),
    redeliveryCount: m.redeliveryCount,
  };
}

export function registerMessageRoutes(app: FastifyInstance, api: BrokerApi): void {
  app.post<{ Params: TopicParams; Body: ProduceBody }>(
    '/v1/topics/:tenant/:ns/:topic/messages',
    { schema: { params: topicParams, body: produceSchema } },
    async (req, reply) => {
      const name = topicName(req.params.tenant, req.params.ns, req.params.topic);
      const results = await api.produce(name, req.body.producer, toIncoming(req.body));
      const failed = results.some((r) => 'error' in r);
      return reply.status(failed ? 207 : 200).send({ results });
    },
  );

  app.post<{ Params: SubscriptionParams; Body: { max?: number; waitMs?: number; visibilityMs?: number } }>(
    '/v1/topics/:tenant/:ns/:topic/subscriptions/:sub/receive',
    {
      schema: {
        params: subscriptionParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            max: { type: 'integer', minimum: 1, maximum: 1000 },
            waitMs: { type: 'integer', minimum: 0, maximum: 30_000 },
            visibilityMs: { type: 'integer', minimum: 100, maximum: 12 * 60 * 60 * 1000 },
          },
        },
      },
    },
    async (req) => {
      const name = topicName(req.params.tenant, req.params.ns, req.params.topic);
      checkName('subscription', req.params.sub);
      const messages = await api.receive(name, req.params.sub, {
        max: req.body?.max ?? 100,
        waitMs: req.body?.waitMs ?? 0,
        visibilityMs: req.body?.visibilityMs ?? 30_000,
      });
      return { messages: messages.map(present) };
    },
  );

  for (const action of ['ack', 'nack'] as const) {
    app.post<{ Params: SubscriptionParams; Body: { ids: string[] } }>(
      `/v1/topics/:tenant/:ns/:topic/subscriptions/:sub/${action}`,
      {
        schema: {
          params: subscriptionParams,
          body: {
            type: 'object',
            required: ['ids'],
            additionalProperties: false,
            properties: { ids: { type: 'array', minItems: 1, maxItems: MAX_MESSAGES_PER_REQUEST, items: { type: 'string', minLength: 1, maxLength: 256 } } },
          },
        },
      },
      async (req) => {
        const name = topicName(req.params.tenant, req.params.ns, req.params.topic);
        checkName('subscription', req.params.sub);
        const n = action === 'ack' ? await api.ack(name, req.params.sub, req.body.ids) : await api.nack(name, req.params.sub, req.body.ids);
        return action === 'ack' ? { acked: n } : { nacked: n };
      },
    );
  }
}
