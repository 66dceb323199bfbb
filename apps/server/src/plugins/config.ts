// The validated ServerConfig, decorated once for every other plugin.
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config/server-config.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: ServerConfig;
  }
}

export default fp<{ config: ServerConfig }>(
  async (app, opts) => {
    app.decorate('config', opts.config);
  },
  { name: 'config' },
);
