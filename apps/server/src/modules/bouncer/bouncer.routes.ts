// The CrowdSec Local API subset a bouncer uses, on the main listener under /v1/ (a bouncer's
// `api_url` is the dashboard's URL): GET|HEAD /v1/decisions/stream, GET /v1/decisions,
// POST /v1/usage-metrics. Authenticated by the host's bouncer key in `X-Api-Key`, not by the
// dashboard's sessions or tokens: a wrong or revoked key is 403 {"message":"access forbidden"}, as
// CrowdSec answers, with an audit row (and, for a revoked host's key, a failure counted on its row);
// an address that keeps trying is answered 429 for a while.
import { canonicalIp } from '@portcullis/engine';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HostRow } from '../hosts/hosts.repository.js';
import { DEFAULT_FILTERS, type DecisionStream, type StreamFilters } from './decision-stream.js';
import { KeyLimiter } from './key-limiter.js';

const FORBIDDEN = { message: 'access forbidden' };

declare module 'fastify' {
  interface FastifyRequest {
    bouncerHost: HostRow | null;
  }
}

function list(v: unknown): string[] {
  if (typeof v !== 'string') return [];
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function filtersOf(q: Record<string, unknown>): StreamFilters {
  const scopes = list(q.scopes).map((s) => s.toLowerCase());
  const origins = list(q.origins);
  return {
    scopes: scopes.length > 0 ? scopes : DEFAULT_FILTERS.scopes,
    origins: origins.length > 0 ? origins : null,
    scenariosContaining: list(q.scenarios_containing),
    scenariosNotContaining: list(q.scenarios_not_containing),
  };
}

/**
 * Startup answers (a bouncer's full set: 10,000s of decisions) are computed one at a time, each in
 * a turn of the event loop of its own, so bouncers restarting together (a fleet-wide upgrade) do not
 * hold the API for seconds at a stretch: other requests are answered between them. Not a 429: the
 * Debian bouncer (0.0.25) exits when its startup pull fails.
 */
export class Turns {
  #tail: Promise<unknown> = Promise.resolve();
  /** How many wait or run now. */
  waiting = 0;

  run<T>(fn: () => T): Promise<T> {
    this.waiting++;
    const turn = this.#tail.then(() => new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        this.waiting--;
        try {
          resolve(fn());
        } catch (err) {
          reject(err as Error);
        }
      });
    }));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}

export interface BouncerRouteOptions {
  stream: DecisionStream;
  now?: () => number;
}

export function bouncerRoutes(app: FastifyInstance, o: BouncerRouteOptions): void {
  const now = o.now ?? Date.now;
  const limiter = new KeyLimiter();
  const startups = new Turns();
  const stream = o.stream;
  const hosts = stream.hosts;
  app.decorateRequest('bouncerHost', null);

  /** The host of the request's key, or the 403/429 answer already sent. */
  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const t = now();
    const wait = limiter.retryAfter(request.ip, t);
    if (wait > 0) {
      await reply.code(429).header('retry-after', String(wait)).send({ message: `too many wrong keys from this address; try again in ${wait} s` });
      return;
    }
    const key = request.headers['x-api-key'];
    const host = typeof key === 'string' && key.length > 0 && key.length <= 200 ? hosts.byApiKey(key) : undefined;
    if (!host) {
      limiter.fail(request.ip, t);
      // A revoked host's key is counted on its row (the Hosts page shows its auth failures).
      const revoked = typeof key === 'string' && key.length > 0 && key.length <= 200 ? hosts.revokedByApiKey(key) : undefined;
      if (revoked) hosts.recordAuthFailure(revoked.id, t);
      app.audit.record({
        actor: null, sourceIp: request.ip, action: 'bouncer.auth-failure', target: request.url.split('?')[0]!,
        after: {
          reason: revoked ? `key of revoked host ${revoked.name}` : typeof key === 'string' ? 'unknown key' : 'no X-Api-Key header',
          ...(revoked ? { host: revoked.name } : {}),
          user_agent: request.headers['user-agent'] ?? null,
        },
      });
      await reply.code(403).send(FORBIDDEN);
      return;
    }
    request.bouncerHost = host;
  };

  const config = { access: 'public' as const };

  app.route({
    method: 'GET',
    url: '/v1/decisions/stream',
    config,
    exposeHeadRoute: false,
    preHandler: authenticate,
    handler: async (request, reply) => {
      const host = request.bouncerHost!;
      const q = request.query as Record<string, unknown>;
      const startup = q.startup === 'true' || q.startup === '1';
      let gone = false;
      const leave = (): void => {
        gone = true;
      };
      reply.raw.once('close', leave);
      const answer = startup
        ? await startups.run(() => (gone ? null : stream.answer(host.id, true, now(), filtersOf(q))))
        : stream.answer(host.id, false, now(), filtersOf(q));
      reply.raw.off('close', leave);
      if (answer === null) return reply; // the bouncer left while its startup answer waited its turn
      // What the bouncer was told is stored only once the answer was written to it ('finish');
      // a connection that ends before that leaves everything to be sent again.
      let settled = false;
      reply.raw.once('finish', () => {
        if (settled) return;
        settled = true;
        if (reply.statusCode !== 200) return answer.abandon();
        const t = now();
        answer.commit(t);
        hosts.recordPull(host.id, t, startup, request.headers['user-agent'] ?? null);
      });
      reply.raw.once('close', () => {
        if (settled) return;
        settled = true;
        answer.abandon();
      });
      return reply.type('application/json').send(answer.json);
    },
  });

  // HEAD: the bouncer's "is the API up" probe; authenticated, nothing computed or stored.
  app.route({
    method: 'HEAD',
    url: '/v1/decisions/stream',
    config,
    preHandler: authenticate,
    handler: async (_request, reply) => reply.type('application/json').send(),
  });

  app.route({
    method: 'GET',
    url: '/v1/decisions',
    config,
    exposeHeadRoute: false,
    preHandler: authenticate,
    handler: async (request, reply) => {
      const host = request.bouncerHost!;
      const q = request.query as Record<string, unknown>;
      let decisions = stream.current(host.id, now());
      const str = (k: string): string | null => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : null);
      const ip = str('ip');
      const range = str('range');
      const value = str('value');
      const scope = str('scope');
      const type = str('type');
      // Only single addresses are blocked: `ip` (and `range`, `contains`) match the address itself.
      if (ip !== null) decisions = decisions.filter((d) => d.value === (canonicalIp(ip) ?? ip));
      if (range !== null) decisions = decisions.filter((d) => d.value === range);
      if (value !== null) decisions = decisions.filter((d) => d.value === value);
      if (scope !== null) decisions = decisions.filter((d) => d.scope.toLowerCase() === scope.toLowerCase());
      if (type !== null) decisions = decisions.filter((d) => d.type === type);
      return reply.type('application/json').send(JSON.stringify(decisions.length > 0 ? decisions : null));
    },
  });

  app.route({
    method: 'HEAD',
    url: '/v1/decisions',
    config,
    preHandler: authenticate,
    handler: async (_request, reply) => reply.type('application/json').send(),
  });

  // Newer bouncers (>= 0.0.30) report usage every 15 min; accepted and not stored.
  app.route({
    method: 'POST',
    url: '/v1/usage-metrics',
    config,
    bodyLimit: 1024 * 1024,
    preHandler: authenticate,
    handler: async (_request, reply) => reply.code(201).type('application/json').send('null'),
  });
}
