// POST /api/logtest: the three phases for each pasted line and the replay of the whole paste,
// against the live ruleset (viewer) or a draft of one file (admin only: a draft is someone's code;
// 422 RulesetValidation when it does not compile). Nothing is stored and no script runs. The test
// runs in a worker (10 s, 256 MB, 429 when busy) and is dropped when the client leaves; a paste
// over LOGTEST_LIMITS answers 413.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, ErrorResponses, LOGTEST_LIMITS, LogtestRequest, LogtestResponse, RulesetValidation } from '@portcullis/shared';
import { ForbiddenError } from '../../errors.js';
import { allowed } from '../../plugins/auth.js';
import { abortOnClose, bytes, workerRouteErrors } from '../../workers/http.js';
import { RulesetFilesService, RulesetInvalidError } from '../ruleset/files.service.js';
import { LogtestService } from './logtest.service.js';

const logtestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const protection = app.activeResponse.deps.protection;
  const logtest = new LogtestService({
    ruleset: app.ruleset,
    files: new RulesetFilesService(app.db, app.ruleset, app.audit, app.rulesetWorkers.validation),
    pool: app.rulesetWorkers.logtest,
    whiteList: () => [...app.ruleset.context.cfg.whiteList, ...app.whitelist.values()],
    protection: () => ({ enabled: protection.enabled, entries: protection.list() }),
  });
  workerRouteErrors(app, `a log test takes at most ${bytes(LOGTEST_LIMITS.bodyBytes)}: ${LOGTEST_LIMITS.lines} lines of at most ${LOGTEST_LIMITS.lineBytes} bytes, and a draft of at most 1 MiB`);

  app.post('/api/logtest', {
    config: { access: 'viewer' },
    bodyLimit: LOGTEST_LIMITS.bodyBytes,
    schema: { body: LogtestRequest, response: { 200: LogtestResponse, 422: RulesetValidation, ...ErrorResponses, 413: ErrorBody, 503: ErrorBody } },
  }, async (request, reply) => {
    const role = request.principal?.role;
    if (request.body.draft && !(role && allowed(role, 'admin')))
      throw new ForbiddenError(`testing a draft ruleset needs the admin role; you have ${role ?? 'none'} (leave out "draft" to test the live ruleset)`, 'DRAFT_NEEDS_ADMIN');
    try {
      return reply.send(await logtest.run(request.body, abortOnClose(reply)));
    } catch (err) {
      if (err instanceof RulesetInvalidError) return reply.code(422).send(err.validation);
      throw err;
    }
  });
};

export default logtestRoutes;
