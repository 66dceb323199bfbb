// GET /api/health, GET /api/sources, GET /metrics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, Health, SourceList } from '@portcullis/shared';
import { renderMetrics } from './metrics.js';

const VERSION = '0.1.0';

const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const startedAt = Date.now();

  app.get('/api/health', {
    config: { access: 'public' },
    schema: { response: { 200: Health, 503: Health } },
  }, async (_request, reply) => {
    let dbOk = true;
    try {
      app.db.prepare('SELECT 1').get();
    } catch {
      dbOk = false;
    }
    const rs = app.ruleset.status();
    const statuses = app.sources.statuses();
    const failed = statuses.filter((s) => s.state === 'failed').length;
    const body: Health = {
      status: dbOk && rs.ok && failed === 0 ? 'ok' : 'degraded',
      version: VERSION,
      uptime_seconds: (Date.now() - startedAt) / 1000,
      database: { path: app.config.dbPath, ok: dbOk },
      ruleset: { ok: rs.ok, rules: rs.rules, decoders: rs.decoders, last_error: rs.errors[0] ? `${rs.errors[0].file}:${rs.errors[0].line}:${rs.errors[0].column}: ${rs.errors[0].message}` : null },
      sources: { total: statuses.length, failed },
      setup_required: app.accounts.setupRequired(),
    };
    return reply.code(dbOk ? 200 : 503).send(body);
  });

  app.get('/api/sources', {
    config: { access: 'viewer' },
    schema: { response: { 200: SourceList, ...ErrorResponses } },
  }, async () => ({ items: app.sources.list(), next: null }));

  app.get('/metrics', { config: { access: 'viewer' } }, async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics(app);
  });
};

export default systemRoutes;
