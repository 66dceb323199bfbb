// GET /api/responses (viewer): the config's <command> and <active-response> blocks as XML and as
// data, with the rules each response binds to. POST /api/responses/validate and PUT /api/responses
// (admin): validated with line and column; a save is applied only when valid (422 otherwise).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, ResponseConfig, ResponseSave, ResponseValidation, ResponseXml } from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';
import { ResponsesInvalidError, ResponsesService } from './responses.service.js';

const responsesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const responses = new ResponsesService({
    db: app.db,
    ruleset: app.ruleset,
    audit: app.audit,
    arDir: app.config.activeResponseDir,
    resolveScript: (executable) => app.activeResponse.deps.runner.resolve(executable),
  });

  app.get('/api/responses', {
    config: { access: 'viewer' },
    schema: { response: { 200: ResponseConfig, ...ErrorResponses } },
  }, async () => responses.get());

  app.post('/api/responses/validate', {
    config: { access: 'admin' },
    bodyLimit: 2 * 1024 * 1024,
    schema: { body: ResponseXml, response: { 200: ResponseValidation, ...ErrorResponses } },
  }, async (request) => responses.validate(request.body.xml));

  app.put('/api/responses', {
    config: { access: 'admin' },
    bodyLimit: 2 * 1024 * 1024,
    schema: { body: ResponseSave, response: { 200: ResponseConfig, 422: ResponseValidation, ...ErrorResponses } },
  }, async (request, reply) => {
    try {
      return reply.send(responses.save(request.body, actorOf(request)));
    } catch (err) {
      if (err instanceof ResponsesInvalidError) return reply.code(422).send(err.validation);
      throw err;
    }
  });
};

export default responsesRoutes;
