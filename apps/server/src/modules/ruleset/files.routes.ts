// The rule and decoder files of the running ruleset: GET /api/ruleset/files, GET /api/ruleset/file,
// POST /api/ruleset/validate, PUT /api/ruleset/file, GET /api/ruleset/revisions(/:id) and
// POST /api/ruleset/revisions/:id/rollback. Viewers read; admins validate, save and roll back.
// A save the compiler refuses answers 422 with every error (RulesetValidation), nothing changed.
// Drafts are compiled in a worker thread (10 s, 256 MB; dropped when the client leaves); a file
// over 1 MiB answers 413.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorBody, ErrorResponses, IdParams, List, RulesetDraft, RulesetFile, RulesetFileContent, RulesetFileQuery, RulesetFileSave, RulesetFileSaved,
  RulesetRevision, RulesetRevisionContent, RulesetRollback, RulesetValidation,
} from '@portcullis/shared';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../../plugins/auth.js';
import { abortOnClose, workerRouteErrors } from '../../workers/http.js';
import { RULE_FILE_MAX_BYTES, RulesetFilesService, RulesetInvalidError } from './files.service.js';

const WorkerResponses = { ...ErrorResponses, 413: ErrorBody, 503: ErrorBody };
const SaveResponses = { 200: RulesetFileSaved, 422: RulesetValidation, ...WorkerResponses };
/** A draft of RULE_FILE_MAX_BYTES, JSON-escaped (quotes and newlines double), with the other fields. */
const DRAFT_BODY_LIMIT = 2 * RULE_FILE_MAX_BYTES + 64 * 1024;

/** Runs a save; a compile failure becomes its 422 answer. */
async function answerSave(reply: FastifyReply, run: () => Promise<RulesetFileSaved>) {
  try {
    return reply.send(await run());
  } catch (err) {
    if (err instanceof RulesetInvalidError) return reply.code(422).send(err.validation);
    throw err;
  }
}

const filesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const files = new RulesetFilesService(app.db, app.ruleset, app.audit, app.rulesetWorkers.validation);
  workerRouteErrors(app, 'a rule or decoder file may have at most 1 MiB');

  app.get('/api/ruleset/files', {
    config: { access: 'viewer' },
    schema: { response: { 200: List(RulesetFile), ...ErrorResponses } },
  }, async () => ({ items: files.list(), next: null }));

  app.get('/api/ruleset/file', {
    config: { access: 'viewer' },
    schema: { querystring: RulesetFileQuery, response: { 200: RulesetFileContent, ...ErrorResponses } },
  }, async (request) => files.read(request.query.path));

  app.post('/api/ruleset/validate', {
    config: { access: 'admin' },
    bodyLimit: DRAFT_BODY_LIMIT,
    schema: { body: RulesetDraft, response: { 200: RulesetValidation, ...WorkerResponses } },
  }, async (request, reply) => files.validate(request.body.path, request.body.content, abortOnClose(reply)));

  app.put('/api/ruleset/file', {
    config: { access: 'admin' },
    bodyLimit: DRAFT_BODY_LIMIT,
    schema: { body: RulesetFileSave, response: SaveResponses },
  }, async (request, reply) => answerSave(reply, () => files.save(request.body, actorOf(request), abortOnClose(reply))));

  app.get('/api/ruleset/revisions', {
    config: { access: 'viewer' },
    schema: { querystring: RulesetFileQuery, response: { 200: List(RulesetRevision), ...ErrorResponses } },
  }, async (request) => ({ items: files.listRevisions(request.query.path), next: null }));

  app.get('/api/ruleset/revisions/:id', {
    config: { access: 'viewer' },
    schema: { params: IdParams, response: { 200: RulesetRevisionContent, ...ErrorResponses } },
  }, async (request) => files.revision(request.params.id));

  app.post('/api/ruleset/revisions/:id/rollback', {
    config: { access: 'admin' },
    schema: { params: IdParams, body: RulesetRollback, response: SaveResponses },
  }, async (request, reply) => answerSave(reply, () => files.rollback(request.params.id, request.body.message, actorOf(request), abortOnClose(reply))));
};

export default filesRoutes;
