// POST /api/logtest (viewer): the three phases for each pasted line and the replay of the whole
// paste, against the live ruleset or a draft of one file (422 RulesetValidation when the draft does
// not compile). Nothing is stored and no script runs.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, LogtestRequest, LogtestResponse, RulesetValidation } from '@portcullis/shared';
import { canonicalIp } from '../active-response/ar-args.js';
import { RulesetFilesService, RulesetInvalidError } from '../ruleset/files.service.js';
import { LogtestService } from './logtest.service.js';

const logtestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const logtest = new LogtestService({
    ruleset: app.ruleset,
    files: new RulesetFilesService(app.db, app.ruleset, app.audit),
    whiteList: () => [...app.ruleset.context.cfg.whiteList, ...app.whitelist.values()],
    protect: (ip) => {
      const c = canonicalIp(ip);
      return c === null ? null : app.activeResponse.deps.protection.covers(c);
    },
  });

  app.post('/api/logtest', {
    config: { access: 'viewer' },
    bodyLimit: 16 * 1024 * 1024,
    schema: { body: LogtestRequest, response: { 200: LogtestResponse, 422: RulesetValidation, ...ErrorResponses } },
  }, async (request, reply) => {
    try {
      return reply.send(logtest.run(request.body));
    } catch (err) {
      if (err instanceof RulesetInvalidError) return reply.code(422).send(err.validation);
      throw err;
    }
  });
};

export default logtestRoutes;
