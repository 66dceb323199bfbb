// Active response in the server: built on the database and the ruleset's current config, fed by
// the pipeline after the live feed (persist, then publish, then respond), publishing every block
// change on socket.io as `block`, with its routes and the local admin socket. Registered after
// `live`; scripts finish and the socket closes before the database does.
import { join } from 'node:path';
import type { ClientToServerEvents, WebServerToClientEvents } from '@portcullis/shared';
import fp from 'fastify-plugin';
import type { Server } from 'socket.io';
import { ActiveResponse } from './active-response.js';
import { signedInAdminAddresses } from './admin-addresses.js';
import { AdminSocket } from './admin-socket.js';
import { toBlock } from './blocks.mapper.js';
import { blocksRoutes } from './blocks.routes.js';
import { buildPolicy, type ArPolicy } from './policy.js';
import { scriptEnvironment } from '../../config/server-config.js';
import { ThreadSpawner } from '../../workers/spawner.js';

declare module 'fastify' {
  interface FastifyInstance {
    activeResponse: ActiveResponse;
  }
}

export default fp(
  async (app) => {
    const log = app.log.child({ part: 'active-response' });
    const policyNow = (): ArPolicy => {
      const ctx = app.ruleset.context;
      return buildPolicy(ctx.cfg, ctx.dialect, ctx.ruleset.tree.all, app.whitelist.values());
    };
    let policy = policyNow();
    // A reloaded ruleset (or config) rebinds the active responses; a white-list change applies at once.
    app.ruleset.onSwap(() => {
      policy = policyNow();
    });
    app.whitelist.onChange(() => {
      policy = policyNow();
    });
    const io = app.io as unknown as Server<ClientToServerEvents, WebServerToClientEvents>;
    // Scripts start from a thread of their own: starting a process blocks the starting thread.
    const spawner = new ThreadSpawner();
    const ar = new ActiveResponse({
      spawn: spawner.run,
      db: app.db,
      arDir: app.config.activeResponseDir,
      dataDir: app.config.dataDir,
      policy: () => policy,
      adminProtection: app.config.adminProtection,
      adminAddresses: signedInAdminAddresses(app.db),
      // Scripts get the server's environment (PATH, PORTCULLIS_FW_BACKEND, …); not read as config here.
      env: scriptEnvironment(),
      log: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m), error: (o, m) => log.error(o, m) },
      publish: (row) => io.emit('block', { block: toBlock(row) }),
      audit: (e) => app.audit.record(e),
    });
    app.decorate('activeResponse', ar);
    app.pipeline.onPersisted(ar.service.consume);
    await app.register(blocksRoutes(ar));

    const socket = new AdminSocket(join(app.config.dataDir, 'admin.sock'), ar.manual, log);
    app.addHook('onReady', async () => {
      ar.start();
      // Alerts committed but not decided on when the server last stopped (a crash between the two).
      const caught = ar.service.catchUp(app.ruleset.engine.ruleset.tree.byId);
      if (caught.decided > 0 || caught.skipped > 0) {
        log.info(caught, `active response: decided on ${caught.decided} alerts committed before the last stop${caught.skipped > 0 ? `; ${caught.skipped} too old (or their rule gone) left alone` : ''}`);
      }
      try {
        await socket.listen();
      } catch (err) {
        log.error({ err }, `admin socket not available (portcullis block/release will work on the database directly): ${(err as Error).message}`);
      }
    });
    app.addHook('preClose', async () => socket.close());
    app.addHook('onClose', async () => {
      ar.service.cursor.flush(Date.now());
      await ar.stop();
      await spawner.close();
    });
  },
  { name: 'active-response', dependencies: ['config', 'db', 'pipeline', 'auth', 'live', 'whitelist'] },
);
