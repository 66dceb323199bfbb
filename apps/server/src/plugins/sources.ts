// Log sources: built from the config, started once the app is ready, stopped on close.
import fp from 'fastify-plugin';
import { SourcesService } from '../modules/sources/sources.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    sources: SourcesService;
  }
}

export default fp(
  async (app) => {
    const log = app.log.child({ part: 'sources' });
    const sources = new SourcesService(app.config, app.db, app.pipeline, { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) }, app.hosts);
    app.decorate('sources', sources);
    app.addHook('onReady', async () => sources.start());
    // Stop reading before the database closes (onClose hooks of later plugins run first).
    app.addHook('preClose', async () => sources.stop());
  },
  { name: 'sources', dependencies: ['config', 'db', 'pipeline', 'hosts'] },
);
