// The detection core as one plugin: the ruleset (with hot reload and the admins' overrides), the
// alerts repository, the ingest thread (the engine, the alert inserts and the sources that keep a
// position run there, off the event loop) and its metrics. The network receivers, the live feed and
// active response plug into `app.pipeline`. Correlation state is kept by the ingest thread across a
// graceful stop (correlation-snapshot.ts).
import fp from 'fastify-plugin';
import { StorageGuard } from '../db/storage-guard.js';
import { AlertsRepository } from '../modules/alerts/alerts.repository.js';
import { OverridesRepository } from '../modules/rules/overrides.repository.js';
import type { RulesetData } from '../pipeline/ingest-protocol.js';
import { IngestThread } from '../pipeline/ingest-thread.js';
import { PipelineMetrics } from '../pipeline/metrics.js';
import { RulesetManager } from '../pipeline/ruleset-manager.js';

declare module 'fastify' {
  interface FastifyInstance {
    ruleset: RulesetManager;
    /** The admins' rule overrides, applied at every compile of the ruleset. */
    ruleOverrides: OverridesRepository;
    alerts: AlertsRepository;
    pipeline: IngestThread;
    metrics: PipelineMetrics;
    /** The data disk as the database sees it: full or not (health), the reserve for releases. */
    storage: StorageGuard;
  }
}

export default fp(
  async (app) => {
    const { config } = app;
    const log = app.log.child({ part: 'ruleset' });
    const overrides = new OverridesRepository(app.db);
    const ruleset = new RulesetManager(
      { configPath: config.configPath, dialect: config.dialect, expandRepeated: config.expandRepeated, overrides: () => overrides.specs() },
      { info: (o, m) => log.info(o, m), error: (o, m) => log.error(o, m) },
    );
    const alerts = new AlertsRepository(app.db);
    const metrics = new PipelineMetrics();
    const slog = app.log.child({ part: 'storage' });
    const storage = new StorageGuard(app.db, config.dataDir, { info: (o, m) => slog.info(o, m), error: (o, m) => slog.error(o, m) });
    storage.start();
    const running = (): RulesetData => {
      const ctx = ruleset.context;
      return { files: ctx.files, dialect: ctx.dialect, engineOptions: ctx.engineOptions, overrides: ruleset.overrides() };
    };
    const plog = app.log.child({ part: 'ingest' });
    const pipeline = new IngestThread({ config, ruleset: running(), turns: app.writeTurns.buffer }, {
      rules: () => ruleset.engine.ruleset.tree.byId,
      turns: app.writeTurns,
      metrics,
      log: { info: (o, m) => plog.info(o, m), warn: (o, m) => plog.warn(o, m), error: (o, m) => plog.error(o, m) },
    });
    // The thread compiles exactly what the event loop's ruleset was compiled from.
    ruleset.onSwap(() => pipeline.swapRuleset(running()));
    // Every receiver's lines from a registered host are counted on its row once committed.
    pipeline.onHostLines((name, n, now) => {
      const host = app.hosts.byName(name);
      if (host) app.hosts.recordLines(host.id, n, now);
    });
    app.decorate('ruleset', ruleset);
    app.decorate('ruleOverrides', overrides);
    app.decorate('alerts', alerts);
    app.decorate('metrics', metrics);
    app.decorate('pipeline', pipeline);
    app.decorate('storage', storage);
    if (config.watchRuleset) app.addHook('onReady', async () => ruleset.watch());
    app.addHook('onClose', async () => {
      ruleset.unwatch();
      await pipeline.stop();
    });
  },
  { name: 'pipeline', dependencies: ['config', 'db', 'hosts'] },
);
