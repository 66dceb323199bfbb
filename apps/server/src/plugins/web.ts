// The dashboard: apps/web/dist served as static files when it is built (with the SPA's routes
// falling back to index.html), else a small page at / that says how to build it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portcullis</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto">
<h1>Portcullis is running</h1>
<p>The dashboard is not built: run <code>npm run build</code> in the repository, then reload.</p>
<p>The API is here: <a href="/api/health">/api/health</a>. Sign in with <code>POST /api/session</code>.</p>
</body></html>`;

export default fp<{ root: string }>(
  async (app, opts) => {
    if (existsSync(join(opts.root, 'index.html'))) {
      await app.register(fastifyStatic, { root: opts.root, wildcard: false });
      app.get('/*', { config: { access: 'public' } }, async (request, reply) => {
        if (request.url.startsWith('/api/') || request.url.startsWith('/socket.io')) {
          return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
        }
        return reply.sendFile('index.html');
      });
    } else {
      app.get('/', { config: { access: 'public' } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PLACEHOLDER));
    }
  },
  { name: 'web' },
);
