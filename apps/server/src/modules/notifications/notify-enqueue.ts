// Turning committed alerts and block events into outbox rows. Each pass adds the rows and moves
// its read cursor in one transaction, and a row's key is (what, destination): an alert read twice
// (the pipeline's batch, then the catch-up after a crash between its commit and this one) is
// queued once. Runs synchronously on the event loop, after each committed batch, so it only writes rows: nothing here
// waits for a network.
import type { Db } from '../../db/database.js';
import { IdleCursor } from '../../pipeline/idle-cursor.js';
import type { PersistedAlert } from '../../pipeline/pipeline.js';
import type { BlockEventKind, NotifyConfig } from './notify-config.js';
import { destinationsForAlert, destinationsForBlock, type Destination } from './notify-match.js';
import {
  alertMail, blockMail, slackAlert, slackBlockEvent, wazuhAlert, wazuhBlockEvent, type AlertView, type BlockEventView, type FormatContext,
} from './notify-format.js';
import type { NewOutbox, OutboxRepository } from './outbox.repository.js';

/** block_events kinds that people are told about, by the name <notify_blocks> uses. */
const BLOCK_KIND: Record<string, BlockEventKind> = { active: 'added', failed: 'failed', released: 'released', expired: 'expired' };

const CATCH_UP_BATCH = 500;

export interface EnqueueDeps {
  db: Db;
  outbox: OutboxRepository;
  config: () => NotifyConfig;
  format: () => FormatContext;
  /** The current ruleset's <options> of a rule (catch-up reads alerts without their engine result). */
  ruleOptions: (ruleId: number) => ReadonlySet<string>;
  now: () => number;
}

export class NotifyEnqueuer {
  constructor(private readonly d: EnqueueDeps) {}

  /** First start: nothing from before notifications existed is sent. */
  init(): void {
    const { outbox } = this.d;
    this.d.db.transaction(() => {
      if (outbox.cursor('alerts') === null) outbox.setCursor('alerts', outbox.maxAlertId());
      if (outbox.cursor('block_events') === null) outbox.setCursor('block_events', outbox.maxBlockEventId());
    })();
  }

  #alertRows(a: AlertView, options: ReadonlySet<string>, cfg: NotifyConfig, ctx: FormatContext, now: number): NewOutbox[] {
    const dests = destinationsForAlert(cfg, { level: a.level, ruleId: a.ruleId, groups: a.groups, location: a.location, options });
    if (dests.length === 0) return [];
    const block = this.d.outbox.blockOf(a.id);
    const summary = `Rule ${a.ruleId} (level ${a.level}): ${a.description}${a.srcip ? ` — ${a.srcip}` : ''}`;
    return dests.map((dest) => {
      const base = { key: `alert:${a.id}:${dest.key}`, kind: 'alert' as const, alert_id: a.id, block_id: block?.id ?? null, level: a.level, next_at: now, created_at: now, ...destFields(dest) };
      if (dest.channel === 'email') {
        const mail = alertMail(a, block, ctx, dest.format);
        return { ...base, summary: mail.subject, payload: JSON.stringify(mail), no_group: dest.doNotGroup ? 1 : 0, no_delay: dest.doNotDelay ? 1 : 0 };
      }
      const body = dest.channel === 'slack' ? slackAlert(a, block, ctx) : wazuhAlert(a, block, ctx);
      return { ...base, summary, payload: JSON.stringify({ body }) };
    });
  }

  /** The alerts cursor: written with queued rows, else now and then (pipeline/idle-cursor.ts). */
  readonly #cursor = new IdleCursor((id) => this.d.outbox.setCursor('alerts', id));

  /** The pipeline's consumer (registered after active response, so an alert's block is decided). */
  readonly consume = (alerts: readonly PersistedAlert[]): boolean => {
    if (alerts.length === 0) return false;
    const cfg = this.d.config();
    const ctx = this.d.format();
    const now = this.d.now();
    const rows: NewOutbox[] = [];
    for (const p of alerts) {
      const rule = (p.result.alertRule ?? p.result.rule)!;
      const view: AlertView = { id: p.id, ...p.record };
      rows.push(...this.#alertRows(view, rule.options, cfg, ctx, now));
    }
    const last = alerts[alerts.length - 1]!.id;
    if (rows.length === 0) {
      this.#cursor.pass(last, now);
      return false;
    }
    let added = 0;
    this.d.db.transaction(() => {
      for (const row of rows) if (this.d.outbox.enqueue(row)) added++;
      this.#cursor.set(last, now);
    })();
    return added > 0;
  };

  /** Writes the cursor a quiet stretch left in memory (at close). */
  flushCursor(): void {
    this.#cursor.flush(this.d.now());
  }

  /** Alerts committed but never read here (the server stopped in between). */
  catchUpAlerts(): boolean {
    let added = 0;
    for (;;) {
      const from = this.d.outbox.cursor('alerts') ?? 0;
      const list = this.d.outbox.alertsAfter(from, CATCH_UP_BATCH);
      if (list.length === 0) break;
      const cfg = this.d.config();
      const ctx = this.d.format();
      const now = this.d.now();
      this.d.db.transaction(() => {
        for (const a of list) for (const row of this.#alertRows(a, this.d.ruleOptions(a.ruleId), cfg, ctx, now)) if (this.d.outbox.enqueue(row)) added++;
        this.d.outbox.setCursor('alerts', list[list.length - 1]!.id);
      })();
      if (list.length < CATCH_UP_BATCH) break;
    }
    return added > 0;
  }

  /** Block events since the last pass: added (the block is in place), failed, released, expired. */
  pollBlocks(): boolean {
    let added = 0;
    for (;;) {
      const from = this.d.outbox.cursor('block_events') ?? 0;
      const events = this.d.outbox.blockEventsAfter(from, CATCH_UP_BATCH);
      if (events.length === 0) break;
      const cfg = this.d.config();
      const ctx = this.d.format();
      const now = this.d.now();
      this.d.db.transaction(() => {
        for (const e of events) {
          const kind = BLOCK_KIND[e.kind];
          if (!kind) continue;
          const dests = destinationsForBlock(cfg, kind);
          if (dests.length === 0) continue;
          const view: BlockEventView = { kind, eventId: e.id, blockId: e.block_id, time: e.time, ip: e.ip, command: e.command, ruleId: e.rule_id, actor: e.actor, detail: e.detail, timeout: e.timeout };
          for (const dest of dests) {
            const base = { key: `block:${e.block_id}:${kind}:${dest.key}`, kind: 'block' as const, alert_id: e.alert_id, block_id: e.block_id, level: null, next_at: now, created_at: now, ...destFields(dest) };
            let row: NewOutbox;
            if (dest.channel === 'email') {
              const mail = blockMail(view, ctx);
              row = { ...base, summary: mail.subject, payload: JSON.stringify(mail) };
            } else {
              const body = dest.channel === 'slack' ? slackBlockEvent(view, ctx) : wazuhBlockEvent(view, ctx);
              row = { ...base, summary: `Block ${kind}: ${e.ip ?? '-'} (${e.command})`, payload: JSON.stringify({ body }) };
            }
            if (this.d.outbox.enqueue(row)) added++;
          }
        }
        this.d.outbox.setCursor('block_events', events[events.length - 1]!.id);
      })();
      if (events.length < CATCH_UP_BATCH) break;
    }
    return added > 0;
  }
}

export function destFields(dest: Destination): Pick<NewOutbox, 'channel' | 'destination' | 'label'> {
  return { channel: dest.channel, destination: dest.key, label: dest.label };
}
