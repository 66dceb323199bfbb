// The rule and decoder files of the running ruleset: GET /api/ruleset/files, GET /api/ruleset/file,
// POST /api/ruleset/validate, PUT /api/ruleset/file, GET /api/ruleset/revisions(/:id) and
// POST /api/ruleset/revisions/:id/rollback. Viewers read; admins validate, save and roll back.
// A save the compiler refuses answers 422 with every error (RulesetValidation), nothing changed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorResponses, IdParams, List, RulesetDraft, RulesetFile, RulesetFileContent, RulesetFileQuery, RulesetFileSave, RulesetFileSaved,
  RulesetRevision, RulesetRevisionContent, RulesetRollback, RulesetValidation,
} from '@portcullis/shared';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../../plugins/auth.js';
import { RulesetFilesService, RulesetInvalidError } from './files.service.js';

const SaveResponses = { 200: RulesetFileSaved, 422: RulesetValidation, ...ErrorResponses };

/** Runs a save; a compile failure becomes its 422 answer. */
function answerSave(reply: FastifyReply, run: () => RulesetFileSaved) {
  try {
    return reply.send(run());
  } catch (err) {
    if (err instanceof RulesetInvalidError) return reply.code(422).send(err.validation);
    throw err;
  }
}

const filesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const files = new RulesetFilesService(app.db, app.ruleset, app.audit);

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
    bodyLimit: 5 * 1024 * 1024,
    schema: { body: RulesetDraft, response: { 200: RulesetValidation, ...ErrorResponses } },
  }, async (request) => files.validate(request.body.path, request.body.content));

  app.put('/api/ruleset/file', {
    config: { access: 'admin' },
    bodyLimit: 5 * 1024 * 1024,
    schema: { body: RulesetFileSave, response: SaveResponses },
  }, async (request, reply) => answerSave(reply, () => files.save(request.body, actorOf(request))));

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
  }, async (request, reply) => answerSave(reply, () => files.rollback(request.params.id, request.body.message, actorOf(request))));
};

export default filesRoutes;
