// Notifications in the server: the enqueuer fed by the pipeline (registered after active response,
// so an alert's block is decided) and by the block events, the background sender, the routes and
// the /metrics counters. The loop wakes every half second, and at once when something was queued;
// it never runs on the ingest path.
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import { counter, label } from '../../pipeline/metrics.js';
import type { NotifyConfig } from './notify-config.js';
import { NotifyEnqueuer } from './notify-enqueue.js';
import type { FormatContext } from './notify-format.js';
import { NotifySender } from './notify-sender.js';
import { NotificationsService } from './notifications.service.js';
import notificationsRoutes from './notifications.routes.js';
import { OutboxRepository } from './outbox.repository.js';

const LOOP_MS = 500;

export interface Notifications {
  enqueuer: NotifyEnqueuer;
  sender: NotifySender;
  service: NotificationsService;
  outbox: OutboxRepository;
  /** One pass now: block events read, due rows sent (tests call it with a later clock). */
  tick(now?: number): Promise<void>;
  /** The Prometheus text of the counters. */
  metrics(): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    notifications: Notifications;
  }
}

export interface NotificationsOptions {
  /** Every time the enqueuer, the sender (attempts, backoff, the hourly count) and the service use. */
  now: () => number;
}

export default fp<NotificationsOptions>(
  async (app, opts) => {
    const log = app.log.child({ part: 'notifications' });
    const outbox = new OutboxRepository(app.db);
    const config = (): NotifyConfig => app.ruleset.context.cfg.notifications;
    const manager = hostname();
    const format = (): FormatContext => ({ manager, idsname: config().email.idsname, publicUrl: app.config.publicUrl });
    const now = opts.now;
    const ruleOptions = (id: number): ReadonlySet<string> => app.ruleset.engine.ruleset.tree.all.find((r) => r.id === id)?.options ?? new Set();
    const enqueuer = new NotifyEnqueuer({ db: app.db, outbox, config, format, ruleOptions, now });
    const sender = new NotifySender({
      outbox, config, format, home: app.config.home, envPassword: app.config.smtpPassword, now,
      log: { info: (o, m) => log.info(o, m), warn: (o, m) => log.warn(o, m) },
    });
    const service = new NotificationsService({ db: app.db, ruleset: app.ruleset, audit: app.audit, outbox, sender, format, envPassword: app.config.smtpPassword, now });
    let stopped = false;
    const pass = async (at?: number): Promise<void> => {
      try {
        enqueuer.pollBlocks();
      } catch (err) {
        log.error({ err }, `block events not read for notifications: ${(err as Error).message}`);
      }
      await sender.tick(at);
    };
    const notifications: Notifications = {
      enqueuer, sender, service, outbox,
      tick: pass,
      metrics: () => {
        const queued = outbox.counts();
        const rows = (pick: 'sent' | 'failed' | 'gaveUp') => [...sender.counters].map(([ch, c]): [string, number] => [`channel=${label(ch)}`, c[pick]]);
        return [
          counter('portcullis_notifications_sent_total', 'Notifications delivered, per channel (email, slack, webhook).', rows('sent')),
          counter('portcullis_notifications_failed_total', 'Delivery attempts that failed (retried with backoff), per channel.', rows('failed')),
          counter('portcullis_notifications_given_up_total', 'Notifications given up after the last attempt, per channel.', rows('gaveUp')),
          counter('portcullis_notifications_queued', 'Notifications waiting (queued to send or retry; held: over email_maxperhour), per channel.',
            queued.filter((q) => q.state === 'queued' || q.state === 'held').map((q) => [`channel=${label(q.channel)},state=${label(q.state)}`, q.n]), 'gauge'),
        ].join('');
      },
    };
    app.decorate('notifications', notifications);
    app.pipeline.onPersisted((alerts) => {
      if (enqueuer.consume(alerts)) setImmediate(() => void pass());
    });
    await app.register(notificationsRoutes(service));

    let timer: NodeJS.Timeout | null = null;
    const loop = () => {
      timer = setTimeout(() => {
        void pass().finally(() => {
          if (!stopped) loop();
        });
      }, LOOP_MS);
      timer.unref();
    };
    app.addHook('onReady', async () => {
      enqueuer.init();
      // Alerts committed while the server was stopping are queued now; a row already queued is kept as it is.
      enqueuer.catchUpAlerts();
      loop();
    });
    app.addHook('onClose', async () => {
      stopped = true;
      enqueuer.flushCursor();
      if (timer) clearTimeout(timer);
      await sender.idle();
    });
  },
  { name: 'notifications', dependencies: ['config', 'db', 'pipeline', 'auth', 'active-response'] },
);
