// GET /api/ruleset (status of the running ruleset and the last failed reload) and
// POST /api/ruleset/reload (recompile now; the running ruleset stays if the new one fails).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, RulesetStatus } from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';

const rulesetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/ruleset', {
    config: { access: 'viewer' },
    schema: { response: { 200: RulesetStatus, ...ErrorResponses } },
  }, async () => app.ruleset.status());

  app.post('/api/ruleset/reload', {
    config: { access: 'admin' },
    schema: { response: { 200: RulesetStatus, 422: RulesetStatus, ...ErrorResponses } },
  }, async (request, reply) => {
    const before = app.ruleset.status();
    const { ok, status } = app.ruleset.reload(`requested by ${request.principal?.name ?? 'unknown'}`);
    const actor = actorOf(request);
    app.audit.record({
      actor: actor.name, sourceIp: actor.ip, action: ok ? 'ruleset.reload' : 'ruleset.reload_failed', target: app.config.configPath,
      before: { rules: before.rules, decoders: before.decoders }, after: ok ? { rules: status.rules, decoders: status.decoders, kept_rules: status.kept_rules } : { errors: status.errors },
    });
    return reply.code(ok ? 200 : 422).send(status);
  });
};

export default rulesetRoutes;
