// The broker's HTTP API (http-api.md) on fastify: a JSON schema on every route, one error handler
// that answers every failure with `{"error": {"code", "message"}}`, a body size limit.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../../common/index.js';
import type { BrokerApi } from './broker-api.js';
import { toHttpError } from './error-catalogue.js';
import { registerAdminRoutes, type AutoRecoveryStatusSource } from './admin-routes.js';
import { registerMessageRoutes } from './message-routes.js';
import { registerInternalRoutes, type InternalBrokerApi } from './internal-routes.js';

export interface HttpServerOptions {
  /** Serves the routes other brokers forward to. */
  internal?: InternalBrokerApi;
  /** Serves GET /admin/v1/auto-recovery (404 when absent). */
  autoRecovery?: AutoRecoveryStatusSource;
  /** Largest request body in bytes. Default 8 MiB. */
  bodyLimit?: number;
  logger?: Logger;
}

export function buildHttpServer(api: BrokerApi, options: HttpServerOptions = {}): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 8 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  // JSON only: other media types are refused with 415 instead of reaching the routes as strings.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation) {
      return reply.status(400).send({ error: { code: 'BAD_REQUEST', message: `invalid request: ${err.message}` } });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: err.message } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON with content-type: application/json' } });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(400).send({ error: { code: 'BAD_REQUEST', message: err.message } });
    }
    const { status, headers, body } = toHttpError(err);
    if (status >= 500) options.logger?.error({ err }, 'request failed');
    return reply.status(status).headers(headers).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } });
  });

  app.get('/healthz', async () => ({ status: 'ok', ...api.health() }));
  app.get('/readyz', async (_req, reply) => {
    if (api.isReady()) return { status: 'ready', broker: api.brokerId };
    return reply.status(503).header('retry-after', '1').send({ error: { code: 'NOT_READY', message: 'broker is not serving yet' } });
  });
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await api.metrics();
    return reply.header('content-type', contentType).send(body);
  });

  registerAdminRoutes(app, api, options.autoRecovery);
  registerMessageRoutes(app, api);
  if (options.internal) registerInternalRoutes(app, options.internal);
  return app;
}
