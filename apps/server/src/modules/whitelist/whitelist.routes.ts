// GET /api/whitelist (viewer): the config's entries, the dashboard's, and the built-in protection
// (loopback, this host, signed-in admins). POST /api/whitelist and DELETE /api/whitelist/:id (admin)
// change the dashboard's entries; active response applies them at once.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IdParams, List, Ok, WhitelistCreate, WhitelistEntry } from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';

const whitelistRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/whitelist', {
    config: { access: 'viewer' },
    schema: { response: { 200: List(WhitelistEntry), ...ErrorResponses } },
  }, async () => {
    const fromConfig: WhitelistEntry[] = app.ruleset.context.cfg.whiteList.map((value) => ({ id: null, value, note: null, source: 'config', created_by: null, created_at: null }));
    const prot: WhitelistEntry[] = app.activeResponse.deps.protection.list().map((p) => ({ id: null, value: p.value, note: p.reason, source: 'protected', created_by: null, created_at: null }));
    return { items: [...fromConfig, ...app.whitelist.entries(), ...prot], next: null };
  });

  app.post('/api/whitelist', {
    config: { access: 'admin' },
    schema: { body: WhitelistCreate, response: { 201: WhitelistEntry, ...ErrorResponses } },
  }, async (request, reply) => reply.code(201).send(app.whitelist.add(request.body.value, request.body.note, actorOf(request))));

  app.delete('/api/whitelist/:id', {
    config: { access: 'admin' },
    schema: { params: IdParams, response: { 200: Ok, ...ErrorResponses } },
  }, async (request) => {
    app.whitelist.remove(request.params.id, actorOf(request));
    return { ok: true };
  });
};

export default whitelistRoutes;
