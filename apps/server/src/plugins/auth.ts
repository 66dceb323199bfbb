// Who is asking, and may they: resolves the session cookie or `Authorization: Bearer` token into
// `request.principal`, then enforces each route's `config.access` (a role, `ingest`, or `public`)
// and CSRF for state-changing requests made with the cookie. Routes under /api and /metrics
// without an `access` are admin-only, so a route that forgets to say is closed, not open.
import cookie from '@fastify/cookie';
import type { Role, TokenScope } from '@portcullis/shared';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { HostRow } from '../modules/hosts/hosts.repository.js';
import { clientCertName } from '../modules/hosts/tls-identity.js';
import { AccountsService, type Actor, type Principal } from '../modules/accounts/accounts.service.js';
import { AuditRepository } from '../modules/audit/audit.repository.js';
import { sameSecret } from '../modules/accounts/secrets.js';

export type Access = 'public' | 'ingest' | Role;

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountsService;
    audit: AuditRepository;
    /** Every route registered after this plugin, with the access it demands (for tests and docs). */
    routeAccess: Array<{ method: string; url: string; access: Access }>;
    /** Resolves a session cookie header or a bearer token (for socket.io handshakes). */
    principalFrom(headers: { cookie?: string | undefined; authorization?: string | undefined }, token?: string): Principal | null;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const SESSION_COOKIE = 'portcullis_session';
const RANK: Record<TokenScope, number> = { ingest: -1, viewer: 0, responder: 1, admin: 2 };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a principal with `role` may use a route with `access`. */
export function allowed(role: TokenScope, access: Access): boolean {
  if (access === 'public') return true;
  if (access === 'ingest') return role === 'ingest' || role === 'admin';
  return RANK[role] >= RANK[access];
}

export function actorOf(request: FastifyRequest): Actor {
  return { name: request.principal?.name ?? null, ip: request.ip };
}

/** A route's access; under /api and /metrics, a route that does not say is admin-only. */
function defaultAccess(url: string, access: Access | undefined): Access {
  if (access) return access;
  return url.startsWith('/api/') || url === '/metrics' ? 'admin' : 'public';
}

/** A registered host's ingest token (`pch_…`, see host-keys.ts). */
export function isIngestToken(secret: string): boolean {
  return secret.startsWith('pch_');
}

/** A registered host may only send lines (access 'ingest'). */
function hostPrincipal(host: HostRow | undefined): Principal | null {
  return host && host.revoked_at === null ? { kind: 'token', name: `host:${host.name}`, role: 'ingest', userId: null, host: host.name } : null;
}

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export default fp(
  async (app) => {
    await app.register(cookie);
    const audit = new AuditRepository(app.db);
    const accounts = new AccountsService(app.db, audit);
    app.decorate('audit', audit);
    app.decorate('accounts', accounts);
    app.decorateRequest('principal', null);

    const routeAccess: Array<{ method: string; url: string; access: Access }> = [];
    app.decorate('routeAccess', routeAccess);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        routeAccess.push({ method, url: route.url, access: defaultAccess(route.url, route.config?.access) });
      }
    });

    app.decorate('principalFrom', (headers: { cookie?: string | undefined; authorization?: string | undefined }, token?: string) => {
      const secret = token ?? bearer(headers.authorization);
      if (secret) return accounts.fromToken(secret);
      const sid = app.parseCookie(headers.cookie ?? '')[SESSION_COOKIE];
      return sid ? accounts.fromSession(sid) : null;
    });

    app.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      if (header !== undefined) {
        const secret = bearer(header);
        if (secret && isIngestToken(secret)) {
          request.principal = hostPrincipal(app.hosts.byIngestToken(secret));
          if (!request.principal) throw new UnauthenticatedError('unknown or revoked ingest token');
        }
        request.principal ??= secret ? accounts.tokenFrom(secret, request.ip) : null;
        if (!request.principal) throw new UnauthenticatedError('unknown or revoked API token');
      } else {
        const sid = request.cookies[SESSION_COOKIE];
        request.principal = sid ? accounts.fromSession(sid) : null;
        // HTTPS with client certificates (<tls><client_ca>): a verified certificate naming a
        // registered host is that host (systemd-journal-upload has no other credential).
        if (!request.principal) {
          const cn = clientCertName(request.raw.socket);
          if (cn !== null) request.principal = hostPrincipal(app.hosts.byName(cn));
        }
      }
      const url = request.routeOptions.url;
      if (url === undefined) return; // no such route: the 404 handler answers
      const access = defaultAccess(url, request.routeOptions.config.access);
      if (access === 'public') return;
      const p = request.principal;
      if (!p) throw new UnauthenticatedError();
      if (!allowed(p.role, access)) throw new ForbiddenError(`this needs the ${access} role; you have ${p.role}`);
      if (p.kind === 'session' && !SAFE_METHODS.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !p.csrfToken || !sameSecret(sent, p.csrfToken)) {
          throw new ForbiddenError('missing or wrong X-CSRF-Token header', 'CSRF');
        }
      }
    });

    const sweep = setInterval(() => accounts.repo.deleteExpiredSessions(Date.now()), 10 * 60_000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'auth', dependencies: ['config', 'db', 'hosts'] },
);
