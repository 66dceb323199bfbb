// Builds the Fastify instance from a ServerConfig. Never listens: main.ts does, tests call
// app.inject (or listen on port 0 themselves).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ServerConfig } from './config/server-config.js';
import accountsSessionRoutes from './modules/accounts/session.routes.js';
import activeResponse from './modules/active-response/active-response.plugin.js';
import usersRoutes from './modules/accounts/users.routes.js';
import alertsRoutes from './modules/alerts/alerts.routes.js';
import auditRoutes from './modules/audit/audit.routes.js';
import bouncer from './modules/bouncer/bouncer.plugin.js';
import hosts from './modules/hosts/hosts.plugin.js';
import hostsLive from './modules/hosts/hosts-live.plugin.js';
import hostsRoutes from './modules/hosts/hosts.routes.js';
import ingestRoutes from './modules/ingest/ingest.routes.js';
import logtestRoutes from './modules/logtest/logtest.routes.js';
import notifications from './modules/notifications/notifications.plugin.js';
import readiness from './modules/readiness/readiness.plugin.js';
import responsesRoutes from './modules/responses/responses.routes.js';
import rulesRoutes from './modules/rules/rules.routes.js';
import filesRoutes from './modules/ruleset/files.routes.js';
import rulesetRoutes from './modules/ruleset/ruleset.routes.js';
import systemRoutes from './modules/system/system.routes.js';
import whitelist from './modules/whitelist/whitelist.plugin.js';
import whitelistRoutes from './modules/whitelist/whitelist.routes.js';
import { webDist } from './paths.js';
import auth from './plugins/auth.js';
import checkpoints from './plugins/checkpoints.js';
import config from './plugins/config.js';
import db from './plugins/db.js';
import errors from './plugins/errors.js';
import live from './plugins/live.js';
import pipeline from './plugins/pipeline.js';
import retention from './plugins/retention.js';
import securityHeaders from './plugins/security-headers.js';
import sources from './plugins/sources.js';
import web from './plugins/web.js';
import dbReaders from './workers/readers.plugin.js';
import rulesetWorkers from './workers/workers.plugin.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** Where the built dashboard is; default apps/web/dist. */
  webRoot?: string;
  /** The clock notifications use (queue times, backoff, email_maxperhour's hour); default Date.now. Tests pass a fixed one. */
  now?: () => number;
}

/**
 * `<tls>`: HTTPS on the main listener. With `<client_ca>` it asks for a client certificate but lets
 * a connection without one in (the browser still works); a route that needs one (journal upload)
 * checks `socket.authorized` and the certificate's CN itself.
 */
function httpsOptions(cfg: ServerConfig): Pick<FastifyServerOptions, never> {
  if (!cfg.tls) return {};
  const { cert, key, clientCa } = cfg.tls;
  return { https: clientCa ? { cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: false } : { cert, key } } as never;
}

export async function buildApp(cfg: ServerConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...httpsOptions(cfg),
    logger: options.logger ?? false,
    // Per-request lines would drown what matters (sources, reloads, failures); errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    // Start-up hooks (migrations, the readiness preflight, sources) on a busy two-core host can take
    // longer than Fastify's 10 s default: a slow start must not be a failed one.
    pluginTimeout: 120_000,
    ajv: {
      // Unknown fields are dropped, not trusted; query strings are coerced to the schema's types.
      customOptions: { removeAdditional: 'all', coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First, so every route (and the 404 and error answers) gets the headers.
  await app.register(securityHeaders);
  await app.register(config, { config: cfg });
  await app.register(errors);
  await app.register(db);
  await app.register(hosts);
  await app.register(pipeline);
  await app.register(auth);
  await app.register(live);
  await app.register(hostsLive);
  await app.register(whitelist);
  // After live: persist, then publish, then respond.
  await app.register(activeResponse);
  await app.register(bouncer);
  // After active response: an alert's block is decided when it is told.
  await app.register(notifications, { now: options.now ?? Date.now });
  await app.register(sources);
  await app.register(retention);
  await app.register(checkpoints);
  await app.register(rulesetWorkers);
  await app.register(dbReaders);
  await app.register(readiness);

  await app.register(accountsSessionRoutes);
  await app.register(usersRoutes);
  await app.register(auditRoutes);
  await app.register(alertsRoutes);
  await app.register(systemRoutes);
  await app.register(ingestRoutes);
  await app.register(rulesetRoutes);
  await app.register(filesRoutes);
  await app.register(rulesRoutes);
  await app.register(logtestRoutes);
  await app.register(responsesRoutes);
  await app.register(whitelistRoutes);
  await app.register(hostsRoutes);
  await app.register(web, { root: options.webRoot ?? webDist });
  return app;
}
