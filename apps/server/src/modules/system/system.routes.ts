// GET /api/health, GET /api/sources, GET /metrics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, Health, SourceList } from '@portcullis/shared';
import { allowed } from '../../plugins/auth.js';
import { renderMetrics } from './metrics.js';

const VERSION = '0.1.0';

const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const startedAt = Date.now();

  // Public, for load balancers and the sign-in page: anyone gets the status (and whether the first
  // admin is still to be made); the details name paths and users, so only signed-in viewers get them.
  app.get('/api/health', {
    config: { access: 'public' },
    schema: { response: { 200: Health, 503: Health } },
  }, async (request, reply) => {
    let dbOk = true;
    try {
      app.db.prepare('SELECT 1').get();
    } catch {
      dbOk = false;
    }
    // The disk as this connection and as the ingest thread's writes found it.
    const own = app.storage.health();
    const storage = own.ok ? app.pipeline.storageHealth() : own;
    if (!storage.ok) dbOk = false;
    const rs = app.ruleset.status();
    const statuses = app.sources.statuses();
    const failed = statuses.filter((s) => s.state === 'failed').length;
    const readiness = await app.readiness.current();
    const ok = dbOk && rs.ok && failed === 0 && readiness.errors === 0;
    const base: Health = { status: ok ? 'ok' : 'degraded', setup_required: app.accounts.setupRequired() };
    const p = request.principal;
    if (!p || !allowed(p.role, 'viewer')) return reply.code(dbOk ? 200 : 503).send(base);
    const body: Health = {
      ...base,
      version: VERSION,
      uptime_seconds: (Date.now() - startedAt) / 1000,
      database: { path: app.config.dbPath, ok: dbOk, error: storage.error },
      ruleset: { ok: rs.ok, rules: rs.rules, decoders: rs.decoders, last_error: rs.errors[0] ? `${rs.errors[0].file}:${rs.errors[0].line}:${rs.errors[0].column}: ${rs.errors[0].message}` : null },
      sources: { total: statuses.length, failed },
      readiness,
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
