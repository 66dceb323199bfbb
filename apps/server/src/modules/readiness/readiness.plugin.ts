// Readiness in the server: evaluated when the app is ready, again every 30 s and after every
// reload of the config, and on demand (GET /api/health) when the last result is older than a few
// seconds — so the dashboard shows a problem until it is fixed, and the log says when it changes.
import type { Readiness } from '@portcullis/shared';
import fp from 'fastify-plugin';
import { scriptEnvironment } from '../../config/server-config.js';
import { evaluateReadiness } from './readiness.js';

export interface ReadinessMonitor {
  /** The last result when it is at most `maxAgeMs` old, else a fresh one (concurrent callers share it). */
  get(maxAgeMs?: number): Promise<Readiness>;
  /**
   * For /api/health, which must answer at once whatever the host's load: the last result (one is
   * computed first if there is none), and a fresh one is started in the background when it is
   * older than 5 s. The checks spawn the scripts' preflight, which a saturated host may take
   * seconds to run.
   */
  current(): Promise<Readiness>;
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: ReadinessMonitor;
  }
}

const PERIOD_MS = 30_000;
const FRESH_MS = 5_000;

export default fp(
  async (app) => {
    const log = app.log.child({ part: 'readiness' });
    let last: { at: number; value: Readiness } | null = null;
    let running: Promise<Readiness> | null = null;
    let shown = new Set<string>();

    const evaluate = (): Promise<Readiness> => {
      running ??= (async () => {
        const ctx = app.ruleset.context;
        const value = await evaluateReadiness({
          cfg: ctx.cfg,
          home: app.config.home,
          arDir: { path: app.config.activeResponseDir, from: app.config.activeResponseDirFrom },
          rules: { all: ctx.ruleset.tree.all, dialect: ctx.dialect },
          env: scriptEnvironment(),
          hosts: app.hosts.active().map((h) => h.name),
        });
        last = { at: Date.now(), value };
        // Log each error when it appears and when it is gone (the banner printed the first ones).
        const now = new Set(value.problems.filter((p) => p.severity === 'error').map((p) => p.message));
        for (const m of now) if (!shown.has(m)) log.error({ problem: m }, m);
        for (const m of shown) if (!now.has(m)) log.info({ fixed: m }, `fixed: ${m}`);
        shown = now;
        return value;
      })().finally(() => {
        running = null;
      });
      return running;
    };

    const monitor: ReadinessMonitor = {
      get: (maxAgeMs = FRESH_MS) => (last && Date.now() - last.at <= maxAgeMs ? Promise.resolve(last.value) : evaluate()),
      current: () => {
        if (!last) return evaluate();
        if (Date.now() - last.at > FRESH_MS) void evaluate().catch((err: unknown) => log.error({ err }, 'readiness check failed'));
        return Promise.resolve(last.value);
      },
    };
    app.decorate('readiness', monitor);

    const unsubscribe = app.ruleset.onSwap(() => void evaluate());
    let timer: NodeJS.Timeout | null = null;
    app.addHook('onReady', async () => {
      await evaluate();
      timer = setInterval(() => void evaluate(), PERIOD_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      unsubscribe();
      if (timer) clearInterval(timer);
      await running;
    });
  },
  { name: 'readiness', dependencies: ['hosts', 'config', 'pipeline'] },
);
