// The detection core as one plugin: the ruleset (with hot reload and the admins' overrides), the
// alerts repository, the pipeline and its metrics. Sources, the live feed and active response
// plug into `app.pipeline`. Correlation state is kept across a graceful stop (correlation-snapshot.ts).
import fp from 'fastify-plugin';
import { StorageGuard } from '../db/storage-guard.js';
import { AlertsRepository } from '../modules/alerts/alerts.repository.js';
import { OverridesRepository } from '../modules/rules/overrides.repository.js';
import { restoreCorrelationState, saveCorrelationState } from '../pipeline/correlation-snapshot.js';
import { PipelineMetrics } from '../pipeline/metrics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { RulesetManager } from '../pipeline/ruleset-manager.js';

declare module 'fastify' {
  interface FastifyInstance {
    ruleset: RulesetManager;
    /** The admins' rule overrides, applied at every compile of the ruleset. */
    ruleOverrides: OverridesRepository;
    alerts: AlertsRepository;
    pipeline: Pipeline;
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
    restoreCorrelationState(config.dataDir, ruleset.engine, log);
    const alerts = new AlertsRepository(app.db);
    const metrics = new PipelineMetrics();
    const plog = app.log.child({ part: 'pipeline' });
    const slog = app.log.child({ part: 'storage' });
    const storage = new StorageGuard(app.db, config.dataDir, { info: (o, m) => slog.info(o, m), error: (o, m) => slog.error(o, m) });
    storage.start();
    const pipeline = new Pipeline(app.db, alerts, ruleset, metrics, { error: (o, m) => plog.error(o, m) }, storage);
    // Every receiver's lines from a registered host are counted on its row, committed with them.
    pipeline.countHostLines((name, n, now) => {
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
    // Sources stop in preClose, so no line is being processed here; the database closes after.
    app.addHook('onClose', async () => {
      ruleset.unwatch();
      try {
        const kept = saveCorrelationState(config.dataDir, ruleset.engine);
        log.info(kept, `correlation state saved for the next start: ${kept.rules} rules, ${kept.events} events`);
      } catch (err) {
        log.error({ err }, `correlation state not saved (the next start counts from zero): ${(err as Error).message}`);
      }
    });
  },
  { name: 'pipeline', dependencies: ['config', 'db', 'hosts'] },
);
