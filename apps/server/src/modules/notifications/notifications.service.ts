// Notifications as the dashboard sees them: the settings read from the config (hook URLs and keys
// for admins only), a save written into the config's blocks (validated, atomic, a revision, an
// audit entry, then a reload; nothing half-applied), a test to one destination, and the history.
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RulesetError } from '@portcullis/engine';
import type { NotificationSave, NotificationSettings, NotifyHistoryItem, NotifyHistoryPage, NotifyHistoryQuery, NotifyValidation } from '@portcullis/shared';
import { writeFileAtomic } from '../../config/atomic-write.js';
import { parseOssecConfig } from '../../config/ossec-config.js';
import { displayPath } from '../../config/ruleset-files.js';
import type { Db } from '../../db/database.js';
import { BadRequestError, ConflictError, DomainError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { RulesetManager } from '../../pipeline/ruleset-manager.js';
import type { Actor } from '../accounts/accounts.service.js';
import { decodeCursor, encodeCursor } from '../alerts/alerts.repository.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { RevisionsRepository, sha256 } from '../ruleset/revisions.repository.js';
import type { NotifyConfig } from './notify-config.js';
import { destFields } from './notify-enqueue.js';
import { testPayloads, type FormatContext } from './notify-format.js';
import { allDestinations } from './notify-match.js';
import { applySettings, keepApiKeys, validateSettings } from './notify-editor.js';
import type { NotifySender } from './notify-sender.js';
import type { OutboxRepository, OutboxRow } from './outbox.repository.js';

export class NotifyInvalidError extends DomainError {
  constructor(readonly validation: NotifyValidation) {
    super('NOTIFICATIONS_INVALID', validation.issues.map((i) => `${i.field}: ${i.message}`).join(' '), 422);
  }
}

export interface ServiceDeps {
  db: Db;
  ruleset: RulesetManager;
  audit: AuditRepository;
  outbox: OutboxRepository;
  sender: NotifySender;
  format: () => FormatContext;
  envPassword: string | null;
  now: () => number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A hook URL for someone who may not see its secret path: the origin alone. */
function masked(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '…';
  }
}

export class NotificationsService {
  readonly #revisions: RevisionsRepository;

  constructor(private readonly d: ServiceDeps) {
    this.#revisions = new RevisionsRepository(d.db);
  }

  #config(): NotifyConfig {
    return this.d.ruleset.context.cfg.notifications;
  }

  settings(admin: boolean): NotificationSettings {
    const { configPath } = this.d.ruleset.context;
    const n = this.#config();
    const text = readFileSync(configPath, 'utf8');
    return {
      hash: sha256(text),
      editable: admin,
      email: {
        enabled: n.email.enabled, to: n.email.to, from: n.email.from, smtp_server: n.email.smtpServer, maxperhour: n.email.maxPerHour,
        reply_to: n.email.replyTo, idsname: n.email.idsname, alert_level: n.email.alertLevel,
      },
      email_alerts: n.emailRules.map((r) => ({
        to: r.to, level: r.level, group: r.group, event_location: r.eventLocation, rule_id: r.ruleIds, format: r.format, do_not_delay: r.doNotDelay, do_not_group: r.doNotGroup,
      })),
      integrations: n.integrations.map((i) => ({
        name: i.name, hook_url: admin ? i.hookUrl : masked(i.hookUrl), api_key_set: i.apiKey !== null, level: i.level, rule_id: i.ruleIds, group: i.groups,
        event_location: i.eventLocation, notify_blocks: i.blocks,
      })),
      notify_blocks: n.blocks,
      smtp: {
        port: n.smtp.port, starttls: n.smtp.starttls, tls: n.smtp.tls, user: n.smtp.user,
        // Paths, not secrets; still for admins only (they say where the secrets are).
        password_file: admin ? n.smtp.passwordFile : null, ca_file: admin ? n.smtp.caFile : null, insecure_tls: n.smtp.insecureTls,
        password_from: n.smtp.passwordFile !== null ? 'file' : this.d.envPassword !== null ? 'env' : null,
      },
      destinations: allDestinations(n).map((x) => ({ key: x.key, channel: x.channel, label: x.channel === 'email' || admin ? x.label : x.label })),
    };
  }

  save(body: NotificationSave, actor: Actor): NotificationSettings {
    const { configPath, home } = this.d.ruleset.context;
    try {
      accessSync(configPath, constants.W_OK);
      accessSync(dirname(configPath), constants.W_OK);
    } catch {
      throw new ForbiddenError(`the config ${configPath} is read-only for the server`, 'READ_ONLY');
    }
    const previous = readFileSync(configPath, 'utf8');
    if (sha256(previous) !== body.base_hash) throw new ConflictError('the config changed since it was opened; reload and apply the change again', 'STALE_CONFIG');
    const s = keepApiKeys(body, this.#config());
    const issues = validateSettings(s);
    if (issues.length > 0) throw new NotifyInvalidError({ ok: false, issues });
    const next = applySettings(previous, configPath, s);
    try {
      parseOssecConfig(next, configPath);
    } catch (err) {
      if (!(err instanceof RulesetError)) throw err;
      throw new NotifyInvalidError({ ok: false, issues: [{ field: 'config', message: `${displayPath(home, err.file)}:${err.line}:${err.column}: ${err.message}` }] });
    }
    const path = displayPath(home, configPath);
    const redact = (x: NotificationSave) => ({ ...x, integrations: x.integrations.map((i) => ({ ...i, api_key: i.api_key ? '(set)' : null })) });
    this.d.db.transaction(() => {
      const rev = this.#revisions.record({ path, kind: 'config', previous, content: next, author: actor.name, message: 'notifications saved from the dashboard' });
      this.d.audit.record({
        actor: actor.name, sourceIp: actor.ip, action: 'notifications.save', target: path,
        before: { hash: sha256(previous), settings: this.settings(true) }, after: { hash: rev.hash, revision: rev.id, settings: redact(s) },
      });
      writeFileAtomic(configPath, next);
      const res = this.d.ruleset.reload(`notifications saved by ${actor.name ?? 'unknown'}`);
      if (!res.ok) {
        writeFileAtomic(configPath, previous);
        this.d.ruleset.reload('config restored after a failed save');
        throw new NotifyInvalidError({ ok: false, issues: res.status.errors.map((e) => ({ field: 'config', message: `${displayPath(home, e.file)}:${e.line}:${e.column}: ${e.message}` })) });
      }
    })();
    return this.settings(true);
  }

  /** Queues a test to one destination and answers once it was tried (sent, or the error). */
  async test(destination: string, actor: Actor): Promise<NotifyHistoryItem> {
    const dest = allDestinations(this.#config()).find((x) => x.key === destination);
    if (!dest) throw new NotFoundError(`no destination ${destination} in the config (save it first)`);
    const now = this.d.now();
    const p = testPayloads(this.d.format(), actor.name ?? 'someone', now);
    const key = `test:${now}:${Math.random().toString(36).slice(2)}:${dest.key}`;
    this.d.outbox.enqueue({
      key, kind: 'test', alert_id: null, block_id: null, level: null, next_at: now, created_at: now, ...destFields(dest),
      summary: `Test by ${actor.name ?? 'someone'}`,
      payload: JSON.stringify(dest.channel === 'email' ? p.mail : { body: dest.channel === 'slack' ? p.slack : p.webhook }),
    });
    this.d.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'notifications.test', target: dest.label, before: null, after: null });
    const row = this.d.outbox.byKey(key)!;
    await this.d.sender.tick();
    await this.d.sender.idle();
    return this.#item(this.d.outbox.get(row.id)!, this.d.outbox.attempts([row.id]));
  }

  #item(r: OutboxRow, attempts: ReturnType<OutboxRepository['attempts']>): NotifyHistoryItem {
    return {
      id: r.id, channel: r.channel, label: r.label, kind: r.kind, alert_id: r.alert_id, block_id: r.block_id, level: r.level, summary: r.summary, state: r.state,
      attempts: attempts.filter((a) => a.outbox_id === r.id).map((a) => ({ time: iso(a.time)!, duration_ms: a.duration_ms, ok: a.ok === 1, error: a.error })),
      created_at: iso(r.created_at)!, sent_at: iso(r.sent_at), next_at: r.state === 'queued' || r.state === 'held' ? iso(r.next_at) : null,
      last_error: r.last_error, digest_id: r.digest_id,
    };
  }

  history(q: NotifyHistoryQuery): NotifyHistoryPage {
    const limit = q.limit ?? 100;
    let before: number | undefined;
    if (q.cursor !== undefined) {
      const id = decodeCursor(q.cursor);
      if (id === null) throw new BadRequestError('cursor is not one this server gave', 'BAD_CURSOR');
      before = id;
    }
    const rows = this.d.outbox.history({ limit: limit + 1, ...(before !== undefined ? { before } : {}), ...(q.state ? { state: q.state } : {}) });
    const page = rows.slice(0, limit);
    const attempts = this.d.outbox.attempts(page.map((r) => r.id));
    return { items: page.map((r) => this.#item(r, attempts)), next: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
  }
}
