// The server process: config, logger, listen, the start banner, signals and graceful close.
import type { AddressInfo } from 'node:net';
import type { Readiness } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { resolveServerConfig, type ServerConfig, type StartFlags } from './config/server-config.js';
import { arDirLine, commandLines, problemLines } from './modules/readiness/readiness.text.js';
import { shippedConfig } from './paths.js';

export interface Started {
  app: FastifyInstance;
  config: ServerConfig;
  url: string;
}

export interface BannerOutput {
  write(text: string): void;
  /** Colour problems (ANSI): when writing to a terminal. */
  color: boolean;
}

const stdoutBanner: BannerOutput = { write: (t) => process.stdout.write(t), color: process.stdout.isTTY === true };

export async function startServer(flags: StartFlags, out: BannerOutput = stdoutBanner): Promise<Started> {
  const config = resolveServerConfig(flags);
  const app = await buildApp(config, { logger: { level: config.logLevel } });
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${addr.port}`;
  // A config whose active responses cannot run still starts (detection works), and says so here.
  out.write(banner(app, config, url, await app.readiness.get(), out.color));

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  return { app, config, url };
}

/** One screen: where to go, what is watched, where the data is, how to sign in, what will not work. */
function banner(app: FastifyInstance, config: ServerConfig, url: string, readiness: Readiness, color: boolean): string {
  const rs = app.ruleset.status();
  const lines = [
    '',
    `Portcullis is running at ${url}  (port ${url.split(':').pop()})`,
    `  config     ${config.configPath}`,
    `  rules      ${rs.rules} rules, ${rs.decoders} decoders (${rs.dialect}); changes are reloaded live`,
    `  database   ${config.dbPath}`,
    '  watching',
  ];
  for (const s of app.sources.statuses()) {
    // Files that are not there yet or cannot be read are among the problems at the end.
    const note = s.state === 'failed' ? `  (failed: ${s.lastError}; retrying)` : '';
    lines.push(`    ${s.kind.padEnd(10)} ${s.target}${note}`);
  }
  if (app.sources.statuses().length === 0) lines.push('    nothing: add a <localfile> to the config, or POST lines to /api/ingest');
  lines.push(`    http       POST ${url}/api/ingest with an API token of scope "ingest"`);
  if (readiness.commands.length > 0) {
    lines.push(`  responses  scripts (run as ${readiness.user}) from ${arDirLine(readiness)}`);
    lines.push(...commandLines(readiness, '    '));
  }
  const token = app.accounts.issueSetupToken();
  const where = `${config.configPath === shippedConfig ? '' : ` --config ${config.configPath}`} --data ${config.dataDir}`;
  if (token) {
    lines.push(
      '  sign in    no account yet. Create the first admin one of these ways:',
      `               open ${url}/ in a browser and enter the setup token ${token}`,
      `               npx portcullis user add NAME --role admin${where}`,
      `               curl -X POST ${url}/api/setup -H 'content-type: application/json' \\`,
      `                 -d '{"token":"${token}","username":"admin","password":"…at least 10 characters…"}'`,
      '             (the setup token works once, and only until an account exists)',
    );
  } else {
    lines.push(`  sign in    ${url}/ with your account (more: npx portcullis user add NAME --role viewer|responder|admin${where})`);
  }
  if (readiness.problems.length > 0) lines.push('', ...problemLines(readiness, { color, indent: '  ' }));
  return `${lines.join('\n')}\n\n`;
}
