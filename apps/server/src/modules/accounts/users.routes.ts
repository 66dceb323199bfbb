// /api/users and /api/tokens: accounts and API tokens, admins only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApiToken, ApiTokenCreate, ApiTokenCreated, ErrorResponses, IdParams, List, Ok, User, UserCreate, UserUpdate } from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = { access: 'admin' as const };

  app.get('/api/users', {
    config: admin,
    schema: { response: { 200: List(User), ...ErrorResponses } },
  }, async () => ({ items: app.accounts.listUsers(), next: null }));

  app.post('/api/users', {
    config: admin,
    schema: { body: UserCreate, response: { 201: User, ...ErrorResponses } },
  }, async (request, reply) => reply.code(201).send(await app.accounts.createUser(actorOf(request), request.body)));

  app.patch('/api/users/:id', {
    config: admin,
    schema: { params: IdParams, body: UserUpdate, response: { 200: User, ...ErrorResponses } },
  }, async (request) => {
    const user = await app.accounts.updateUser(actorOf(request), request.params.id, request.body);
    if (request.body.disabled || request.body.password) app.live?.disconnectUser(user.id);
    return user;
  });

  app.delete('/api/users/:id', {
    config: admin,
    schema: { params: IdParams, response: { 200: Ok, ...ErrorResponses } },
  }, async (request) => {
    app.accounts.deleteUser(actorOf(request), request.params.id);
    app.live?.disconnectUser(request.params.id);
    return { ok: true };
  });

  app.get('/api/tokens', {
    config: admin,
    schema: { response: { 200: List(ApiToken), ...ErrorResponses } },
  }, async () => ({ items: app.accounts.listTokens(), next: null }));

  app.post('/api/tokens', {
    config: admin,
    schema: { body: ApiTokenCreate, response: { 201: ApiTokenCreated, ...ErrorResponses } },
  }, async (request, reply) => reply.code(201).send(app.accounts.createToken(actorOf(request), request.body.name, request.body.scope)));

  app.delete('/api/tokens/:id', {
    config: admin,
    schema: { params: IdParams, response: { 200: Ok, ...ErrorResponses } },
  }, async (request) => {
    app.accounts.revokeToken(actorOf(request), request.params.id);
    return { ok: true };
  });
};

export default usersRoutes;
