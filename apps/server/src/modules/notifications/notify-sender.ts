// The background sender: due outbox rows go out, each attempt is a row, a failure is retried after
// retryBase × 2^(attempts-1) (at most retryMax) until maxAttempts. Mail goes one at a time, so
// email_maxperhour counts exactly: past the limit a mail is held until the next hour, when the
// held mails of each destination go as one digest (OSSEC's grouping; do_not_group: each alone,
// do_not_delay: never held). Webhooks go a few at a time. Nothing here runs on the ingest path: a
// dead server only ever costs this loop a timeout.
import type { NotifyConfig } from './notify-config.js';
import { allDestinations, type Destination } from './notify-match.js';
import { digestMail, type FormatContext, type MailPayload } from './notify-format.js';
import { SendError, messageIdOf, postJson, sendMail } from './notify-channels.js';
import type { OutboxChannel, OutboxRepository, OutboxRow } from './outbox.repository.js';

const HOUR = 3_600_000;
/** A grouped mail waits at most this many windows after its first alert, however many keep coming. */
export const GROUP_MAX_WAIT_WINDOWS = 6;
const WEBHOOKS_IN_FLIGHT = 4;
const DUE_BATCH = 100;

/**
 * At least once: a crash (or a lost answer) after a receiver got a delivery but before its attempt
 * was recorded sends it again. These headers are the same on every attempt of one outbox row, so a
 * receiver can drop the second: X-Portcullis-Delivery is the row's id, X-Portcullis-Alert the alert's
 * id (Wazuh's `id` in the body) when the delivery is about one alert.
 */
export function deliveryHeaders(row: Pick<OutboxRow, 'id' | 'alert_id' | 'kind'>): Record<string, string> {
  const h: Record<string, string> = { 'x-portcullis-delivery': String(row.id) };
  if (row.kind === 'alert' && row.alert_id !== null) h['x-portcullis-alert'] = String(row.alert_id);
  return h;
}

export interface SenderDeps {
  outbox: OutboxRepository;
  config: () => NotifyConfig;
  format: () => FormatContext;
  home: string;
  envPassword: string | null;
  now: () => number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export interface ChannelCounters {
  sent: number;
  failed: number;
  gaveUp: number;
}

export class NotifySender {
  readonly counters = new Map<OutboxChannel, ChannelCounters>(['email', 'slack', 'webhook'].map((c) => [c as OutboxChannel, { sent: 0, failed: 0, gaveUp: 0 }]));
  readonly #inFlight = new Map<number, Promise<void>>();
  #mailing = false;
  #webhooks = 0;
  #running: Promise<void> | null = null;
  #againAt: number | null = null;

  constructor(private readonly d: SenderDeps) {}

  /** One pass: digests for held mail, then every due row that may go now. Safe to call at any time. */
  tick(now?: number): Promise<void> {
    // A pass asked for while one runs is run after it, at the latest time asked for.
    this.#againAt = Math.max(this.#againAt ?? 0, now ?? this.d.now());
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        while (this.#againAt !== null) {
          const at = this.#againAt;
          this.#againAt = null;
          this.#groupHeld(at);
          this.#groupClose(at);
          this.#dispatch(at);
          await Promise.resolve();
        }
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  /** Resolves when nothing is being sent. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }

  #destination(row: OutboxRow): Destination | undefined {
    return allDestinations(this.d.config()).find((x) => x.key === row.destination);
  }

  #dispatch(now: number): void {
    const cfg = this.d.config();
    for (const row of this.d.outbox.due(now, DUE_BATCH)) {
      if (this.#inFlight.has(row.id)) continue;
      if (row.channel === 'email') {
        if (this.#mailing) continue;
        const hour = Math.floor(now / HOUR) * HOUR;
        if (row.kind !== 'test' && row.kind !== 'digest' && row.no_delay === 0 && this.d.outbox.mailsSince(hour) >= cfg.email.maxPerHour) {
          this.d.outbox.hold(row.id, hour + HOUR);
          continue;
        }
        this.#mailing = true;
      } else {
        if (this.#webhooks >= WEBHOOKS_IN_FLIGHT) continue;
        this.#webhooks++;
      }
      const p = this.#send(row, cfg).finally(() => {
        this.#inFlight.delete(row.id);
        if (row.channel === 'email') this.#mailing = false;
        else this.#webhooks--;
        // The next one may go now (the mail lane is free, or a webhook slot is).
        void this.tick(Math.max(now, this.d.now()));
      });
      this.#inFlight.set(row.id, p);
    }
  }

  async #send(row: OutboxRow, cfg: NotifyConfig): Promise<void> {
    const started = performance.now();
    const time = this.d.now();
    let error: string | null = null;
    try {
      await this.#deliver(row, cfg);
    } catch (err) {
      error = err instanceof SendError ? err.message : `${(err as Error).message}`;
    }
    const durationMs = performance.now() - started;
    const counters = this.counters.get(row.channel)!;
    if (error === null) {
      counters.sent++;
      this.d.outbox.attempted(row.id, { time, durationMs, ok: true, error: null }, { state: 'sent', nextAt: row.next_at });
      return;
    }
    counters.failed++;
    const attempts = row.attempts + 1;
    const cfgNow = this.d.config();
    if (attempts >= cfgNow.maxAttempts || row.kind === 'test') {
      counters.gaveUp++;
      this.d.outbox.attempted(row.id, { time, durationMs, ok: false, error }, { state: 'failed', nextAt: row.next_at });
      this.d.log.warn({ id: row.id, destination: row.label, attempts, error }, `notification to ${row.label} failed for good after ${attempts} attempts: ${error}`);
      return;
    }
    const delay = Math.min(cfgNow.retryMaxMs, cfgNow.retryBaseMs * 2 ** (attempts - 1));
    this.d.outbox.attempted(row.id, { time, durationMs, ok: false, error }, { state: 'queued', nextAt: time + delay });
    if (attempts === 1) this.d.log.warn({ id: row.id, destination: row.label, error }, `notification to ${row.label} failed, retrying: ${error}`);
  }

  async #deliver(row: OutboxRow, cfg: NotifyConfig): Promise<void> {
    const dest = this.#destination(row);
    if (!dest) throw new SendError(`${row.label} is no longer in the config`);
    if (dest.channel === 'email') {
      if (!cfg.email.enabled && row.kind !== 'test') throw new SendError('<email_notification> is off');
      await sendMail({ email: cfg.email, smtp: cfg.smtp, home: this.d.home, envPassword: this.d.envPassword, timeoutMs: cfg.timeoutMs }, dest.to, JSON.parse(row.payload) as MailPayload,
        messageIdOf(row.id, row.created_at, cfg.email.from));
      return;
    }
    await postJson(dest.integration, (JSON.parse(row.payload) as { body: unknown }).body, cfg.timeoutMs, deliveryHeaders(row));
  }

  /**
   * OSSEC's grouping (maild): an alert mail waits a short window for more to the same destination;
   * each one arriving restarts the window (up to GROUP_MAX_WAIT_WINDOWS after the first), and when
   * it closes they go as one mail. A full mail (email_group_max) goes at once. Not grouped:
   * do_not_group and do_not_delay rules, the sms format (OSSEC sends those without delay),
   * retries, tests and block events. Past email_maxperhour nothing is grouped here: the rows are
   * then held one by one and go in the next hour's digest.
   */
  #groupClose(now: number): void {
    const cfg = this.d.config();
    const win = cfg.groupWindowMs;
    if (win <= 0) return;
    const byDest = new Map<string, OutboxRow[]>();
    for (const row of this.d.outbox.groupable()) {
      const list = byDest.get(row.destination) ?? [];
      list.push(row);
      byDest.set(row.destination, list);
    }
    const ctx = this.d.format();
    const hour = Math.floor(now / HOUR) * HOUR;
    for (const [destination, all] of byDest) {
      const dest = this.#destination(all[0]!);
      if (!dest || dest.channel !== 'email' || dest.format === 'sms') continue;
      // Nothing new since the window was set: wait for it.
      if (!all.some((r) => r.next_at <= now)) continue;
      let list = all;
      while (list.length > 0) {
        const full = list.length >= cfg.groupMax;
        const chunk = list.slice(0, cfg.groupMax);
        const close = Math.min(Math.max(...chunk.map((r) => r.created_at)) + win, chunk[0]!.created_at + win * GROUP_MAX_WAIT_WINDOWS);
        if (!full && now < close) {
          this.d.outbox.deferTo(chunk.map((r) => r.id), close);
          break;
        }
        list = list.slice(chunk.length);
        if (chunk.length === 1) {
          this.d.outbox.requeue(chunk[0]!.id, now);
          continue;
        }
        // Over the hour's count: left due, so the dispatch holds each one for the next hour's digest.
        if (this.d.outbox.mailsSince(hour) + this.d.outbox.digestsWaiting() >= cfg.email.maxPerHour) {
          for (const r of chunk) this.d.outbox.requeue(r.id, now);
          continue;
        }
        const mail = digestMail(chunk.map((r) => JSON.parse(r.payload) as MailPayload), ctx, chunk[0]!.created_at, chunk[chunk.length - 1]!.created_at, 'grouped');
        this.d.outbox.groupIntoDigest(chunk.map((r) => r.id), {
          key: `group:${destination}:${chunk[0]!.id}`, channel: 'email', destination, label: chunk[0]!.label, kind: 'digest', alert_id: null, block_id: null,
          level: Math.max(...chunk.map((r) => r.level ?? 0)), summary: mail.subject, payload: JSON.stringify(mail), next_at: now, created_at: now, no_delay: 1, no_group: 1,
        });
      }
    }
  }

  /** Held mails whose hour has passed: one digest per destination, or alone for do_not_group. */
  #groupHeld(now: number): void {
    const held = this.d.outbox.heldDue(now);
    if (held.length === 0) return;
    const byDest = new Map<string, OutboxRow[]>();
    for (const row of held) {
      if (row.no_group === 1) {
        this.d.outbox.requeue(row.id, now);
        continue;
      }
      const list = byDest.get(row.destination) ?? [];
      list.push(row);
      byDest.set(row.destination, list);
    }
    const ctx = this.d.format();
    for (const [destination, rows] of byDest) {
      if (rows.length === 1) {
        this.d.outbox.requeue(rows[0]!.id, now);
        continue;
      }
      const mail = digestMail(rows.map((r) => JSON.parse(r.payload) as MailPayload), ctx, rows[0]!.created_at, rows[rows.length - 1]!.created_at);
      this.d.outbox.groupIntoDigest(rows.map((r) => r.id), {
        key: `digest:${destination}:${rows[0]!.id}`, channel: 'email', destination, label: rows[0]!.label, kind: 'digest', alert_id: null, block_id: null,
        level: Math.max(...rows.map((r) => r.level ?? 0)), summary: mail.subject, payload: JSON.stringify(mail), next_at: now, created_at: now, no_delay: 1,
      });
    }
  }
}
