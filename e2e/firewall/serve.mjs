#!/usr/bin/env node
// The Portcullis server for the namespace tests and the latency bench: what `portcullis start`
// runs (the built app from apps/server/dist), with the active-response plugin registered here
// when app.ts does not register it itself. Run it with `ip netns exec NS node serve.mjs CONFIG DATA`.
// Prints "ready" when it listens; SIGTERM closes it cleanly, SIGKILL is a crash.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps', 'server', 'dist');
const { buildApp } = await import(join(dist, 'app.js'));
const { resolveServerConfig } = await import(join(dist, 'config', 'server-config.js'));
const { default: activeResponse } = await import(join(dist, 'modules', 'active-response', 'active-response.plugin.js'));

const [config, data, listen = '127.0.0.1:8787'] = process.argv.slice(2);
const cfg = resolveServerConfig({ config, data, listen });
const app = await buildApp(cfg, { logger: { level: process.env.PORTCULLIS_LOG_LEVEL ?? 'warn' } });
if (!app.hasPlugin('active-response')) await app.register(activeResponse);
await app.listen({ host: cfg.listen.host, port: cfg.listen.port });
process.stdout.write('ready\n');
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  app.close().then(() => process.exit(0), () => process.exit(1));
});
