// GET /api/rules (the whole tree), GET /api/rules/:id, PUT/DELETE /api/rules/:id/override (admin),
// GET /api/rule-overrides. Viewers read; admins tune.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IdParams, List, Ok, RuleDetail, RuleList, RuleOverride, RuleOverrideSet } from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';
import { RulesService } from './rules.service.js';

const rulesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const rules = new RulesService(app.db, app.ruleset, app.ruleOverrides, app.audit);

  app.get('/api/rules', {
    config: { access: 'viewer' },
    schema: { response: { 200: RuleList, ...ErrorResponses } },
  }, async () => ({ items: rules.list(), next: null }));

  app.get('/api/rules/:id', {
    config: { access: 'viewer' },
    schema: { params: IdParams, response: { 200: RuleDetail, ...ErrorResponses } },
  }, async (request) => rules.detail(request.params.id));

  app.put('/api/rules/:id/override', {
    config: { access: 'admin' },
    schema: { params: IdParams, body: RuleOverrideSet, response: { 200: RuleOverride, ...ErrorResponses } },
  }, async (request) => rules.setOverride(request.params.id, request.body, actorOf(request)));

  app.delete('/api/rules/:id/override', {
    config: { access: 'admin' },
    schema: { params: IdParams, response: { 200: Ok, ...ErrorResponses } },
  }, async (request) => {
    rules.deleteOverride(request.params.id, actorOf(request));
    return { ok: true };
  });

  app.get('/api/rule-overrides', {
    config: { access: 'viewer' },
    schema: { response: { 200: List(RuleOverride), ...ErrorResponses } },
  }, async () => ({ items: rules.overridesList(), next: null }));
};

export default rulesRoutes;
