// The one error handler and the 404 handler: every error leaves as
// `{ "error": { "code", "message", "details"? } }`; a 5xx never shows internals.
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../errors.js';

function validationDetails(err: FastifyError): Array<{ path: string; message: string }> {
  return (err.validation ?? []).map((v) => ({
    path: `${err.validationContext ?? ''}${v.instancePath || ''}${v.params && 'missingProperty' in v.params ? `/${String(v.params.missingProperty)}` : ''}`,
    message: v.message ?? 'invalid',
  }));
}

export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof DomainError) {
        return reply.code(err.statusCode).headers(err.headers).send({ error: { code: err.code, message: err.message } });
      }
      if (err.validation) {
        return reply.code(400).send({ error: { code: 'VALIDATION', message: err.message, details: validationDetails(err) } });
      }
      const status = err.statusCode ?? 500;
      if (status < 500) {
        // Fastify's own 4xx (bad JSON, body too large, unsupported media type): safe to show.
        return reply.code(status).send({ error: { code: err.code ?? 'BAD_REQUEST', message: err.message } });
      }
      request.log.error({ err }, 'request failed');
      return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    });

    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
    });
  },
  { name: 'errors' },
);
