// GET /api/hosts (viewer: never a secret), POST /api/hosts (admin: the secrets and snippets, once),
// POST /api/hosts/:name/rotate (admin), DELETE /api/hosts/:name (admin: revokes; the row stays).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, Host, HostCreate, HostList, HostNameParams, HostSecrets } from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';
import { HostsService } from './hosts.service.js';

const hostsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const hosts = new HostsService(app.db, app.hosts, app.audit, { publicUrl: app.config.publicUrl });

  app.get('/api/hosts', {
    config: { access: 'viewer' },
    schema: { response: { 200: HostList, ...ErrorResponses } },
  }, async () => ({ items: hosts.list(), next: null }));

  app.post('/api/hosts', {
    config: { access: 'admin' },
    schema: { body: HostCreate, response: { 201: HostSecrets, ...ErrorResponses } },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.code(201).send(hosts.add(actorOf(request), request.body.name));
  });

  app.post('/api/hosts/:name/rotate', {
    config: { access: 'admin' },
    schema: { params: HostNameParams, response: { 200: HostSecrets, ...ErrorResponses } },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return hosts.rotate(actorOf(request), request.params.name);
  });

  app.delete('/api/hosts/:name', {
    config: { access: 'admin' },
    schema: { params: HostNameParams, response: { 200: Host, ...ErrorResponses } },
  }, async (request) => hosts.revoke(actorOf(request), request.params.name));
};

export default hostsRoutes;
