#!/usr/bin/env node
// The Portcullis server for the many-hosts namespace test and the bouncers bench: serve.mjs plus a
// JSON-line control channel on stdin, answered on stdout, standing in for what other parts do:
//   {"op":"host","name":"web1"}               → {"api_key":…}  (portcullis host add)
//   {"op":"token"}                            → {"token":…}    (an admin API token)
//   {"op":"ingest","host":"web1","lines":[…]} → {"alerts":N}   (lines as the authenticated host's)
//   {"op":"fetch","method","path","token","body"?} → {"status","body"} (an HTTP request to this
//       server's own listener, made from inside its namespace)
// Prints "ready" when it listens; SIGTERM closes it cleanly, SIGKILL is a crash.
import { dirname, join } from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps', 'server', 'dist');
const { buildApp } = await import(join(dist, 'app.js'));
const { resolveServerConfig } = await import(join(dist, 'config', 'server-config.js'));

const [config, data, listen = '127.0.0.1:8787'] = process.argv.slice(2);
const cfg = resolveServerConfig({ config, data, listen });
const app = await buildApp(cfg, { logger: { level: process.env.PORTCULLIS_LOG_LEVEL ?? 'warn' } });
await app.listen({ host: cfg.listen.host, port: cfg.listen.port });
process.stdout.write('ready\n');

const actor = { name: 'e2e', ip: null };
readline.createInterface({ input: process.stdin }).on('line', async (l) => {
  let out;
  try {
    const req = JSON.parse(l);
    if (req.op === 'host') out = { api_key: app.hosts.create(req.name, 'e2e').apiKey };
    else if (req.op === 'token') out = { token: app.accounts.createToken(actor, `e2e-${Date.now()}`, 'admin').token };
    else if (req.op === 'ingest') {
      const r = await app.pipeline.ingest(req.lines.map((line) => ({ line, location: '/var/log/auth.log', receivedAt: Date.now(), host: req.host })));
      out = { alerts: r.alerts ?? null };
    } else if (req.op === 'fetch') {
      const res = await fetch(`http://${cfg.listen.host}:${cfg.listen.port}${req.path}`, {
        method: req.method,
        headers: { authorization: `Bearer ${req.token}`, ...(req.body ? { 'content-type': 'application/json' } : {}) },
        ...(req.body ? { body: JSON.stringify(req.body) } : {}),
      });
      out = { status: res.status, body: await res.text() };
    } else out = { error: `unknown op ${req.op}` };
  } catch (err) {
    out = { error: String(err) };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
});

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  app.close().then(() => process.exit(0), () => process.exit(1));
});
