// POST/GET/DELETE /api/session (sign in, who am I, sign out) and POST /api/setup (first admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, LoginBody, Ok, SessionInfo, SetupBody, User } from '@portcullis/shared';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { SESSION_TTL_MS } from './accounts.service.js';

const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: app.config.secureCookies };

  app.post('/api/session', {
    config: { access: 'public' },
    schema: { body: LoginBody, response: { 200: SessionInfo, ...ErrorResponses } },
  }, async (request, reply) => {
    const { sessionId, info } = await app.accounts.login(request.body.username, request.body.password, request.ip);
    reply.setCookie(SESSION_COOKIE, sessionId, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });
    return info;
  });

  app.get('/api/session', {
    config: { access: 'public' },
    schema: { response: { 200: SessionInfo, ...ErrorResponses } },
  }, async (request) => app.accounts.sessionInfo(request.principal));

  app.delete('/api/session', {
    config: { access: 'viewer' },
    schema: { response: { 200: Ok, ...ErrorResponses } },
  }, async (request, reply) => {
    if (request.principal) {
      app.accounts.logout(request.principal, request.ip);
      if (request.principal.sessionHash) app.live?.disconnectSession(request.principal.sessionHash);
    }
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return { ok: true };
  });

  app.post('/api/setup', {
    config: { access: 'public' },
    schema: { body: SetupBody, response: { 201: User, ...ErrorResponses } },
  }, async (request, reply) => {
    const user = await app.accounts.setup(request.body.token, request.body.username, request.body.password, request.ip);
    request.log.info({ user: user.username }, 'first admin created with the setup token');
    return reply.code(201).send(user);
  });
};

export default sessionRoutes;
