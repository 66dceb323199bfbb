// GET /api/alerts, GET /api/alerts/:id, GET /api/stats.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Alert, AlertPage, AlertQuery, ErrorResponses, IdParams, Stats, StatsQuery } from '@portcullis/shared';
import { AlertsService } from './alerts.service.js';

const alertsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = new AlertsService(app.alerts, app.db);

  app.get('/api/alerts', {
    config: { access: 'viewer' },
    schema: { querystring: AlertQuery, response: { 200: AlertPage, ...ErrorResponses } },
  }, async (request) => service.list(request.query));

  app.get('/api/alerts/:id', {
    config: { access: 'viewer' },
    schema: { params: IdParams, response: { 200: Alert, ...ErrorResponses } },
  }, async (request) => service.get(request.params.id));

  app.get('/api/stats', {
    config: { access: 'viewer' },
    schema: { querystring: StatsQuery, response: { 200: Stats, ...ErrorResponses } },
  }, async (request) => service.stats(request.query));
};

export default alertsRoutes;
