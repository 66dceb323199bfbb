// GET /api/alerts, GET /api/alerts/:id, GET /api/stats. The stats and the lists that can scan run
// in the database read pool (10 s, then 503 STATS_TIMEOUT / ALERTS_TIMEOUT; 429 with Retry-After
// when it is full) and are dropped when the client leaves.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Alert, AlertPage, AlertQuery, ErrorBody, ErrorResponses, IdParams, Stats, StatsQuery } from '@portcullis/shared';
import { abortOnClose, workerRouteErrors } from '../../workers/http.js';
import { AlertsService } from './alerts.service.js';

const alertsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new AlertsService(app.alerts, app.dbReaders, app.config.dbPath, (id) => app.ruleset.engine.ruleset.tree.byId.get(id)?.description);
  workerRouteErrors(app, 'alert queries have no body');

  app.get('/api/alerts', {
    config: { access: 'viewer' },
    schema: { querystring: AlertQuery, response: { 200: AlertPage, ...ErrorResponses, 503: ErrorBody } },
  }, async (request, reply) => service.list(request.query, abortOnClose(reply)));

  app.get('/api/alerts/:id', {
    config: { access: 'viewer' },
    schema: { params: IdParams, response: { 200: Alert, ...ErrorResponses } },
  }, async (request) => service.get(request.params.id));

  app.get('/api/stats', {
    config: { access: 'viewer' },
    schema: { querystring: StatsQuery, response: { 200: Stats, ...ErrorResponses, 503: ErrorBody } },
  }, async (request, reply) => service.stats(request.query, abortOnClose(reply)));
};

export default alertsRoutes;
