// Log sources: built from the config, started once the app is ready, stopped on close.
import fp from 'fastify-plugin';
import { SourcesService } from '../modules/sources/sources.service.js';
import { runDirectly } from '../sources/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    sources: SourcesService;
  }
}

export default fp(
  async (app) => {
    const log = app.log.child({ part: 'sources' });
    // The network receivers run here and hand their lines to the ingest thread; the files and the
    // journal are read by that thread (their positions commit with the alerts there).
    const sources = new SourcesService(app.config, app.db, { sink: app.pipeline.sink, atomic: runDirectly }, { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) }, app.hosts, 'network');
    sources.remote(() => app.pipeline.sources());
    app.decorate('sources', sources);
    // Every consumer of committed alerts is registered by now: start the thread, then the receivers.
    app.addHook('onReady', async () => {
      await app.pipeline.start();
      await sources.start();
    });
    // Stop reading, then let the thread store what it has, before the database closes (onClose
    // hooks of later plugins run first): its last alerts still reach the consumers.
    app.addHook('preClose', async () => {
      await sources.stop();
      await app.pipeline.stop();
    });
  },
  { name: 'sources', dependencies: ['config', 'db', 'pipeline', 'hosts'] },
);
