// The decisions of active response. For each committed alert and each <active-response> bound to
// its rule: route by location, refuse unsafe values, the white list, protected addresses and grace
// periods (each refusal a `refused` row), then execd's timeout list — a duplicate extends and
// escalates the open block, anything else becomes a `pending` block whose add is queued. The timer
// and resuming after a restart live here too; manual blocks and releases are in manual-blocks.ts.
import { TimeoutList, canonicalIp, checkArRequest, isRefusal, type ArBinding, type ArRequest, type Rule } from '@portcullis/engine';
import type { PersistedAlert } from '../../pipeline/pipeline.js';
import { safeFilename, safeLocation, safeUser, wazuhMessage, type ArFields } from './ar-args.js';
import type { ArActor, ArDeps } from './ar-deps.js';
import { AlertCursor } from './alert-cursor.js';
import { BlockExecutor } from './block-executor.js';
import { BlockTimer } from './block-timer.js';
import type { BlockRow, NewBlock } from './blocks.repository.js';
import { refusalText, type Refusal } from './refusals.js';
import { isRoute, routeOf, type Route } from './targets.js';

/** Refusals of the same kind for the same address within this window count as hits on one row. */
const REFUSAL_WINDOW_MS = 60_000;

/** The fields of a new row the caller decides; state, timing and reason are the service's. */
export type BlockBase = Omit<NewBlock, 'state' | 'timeout' | 'offense' | 'created_at' | 'expires_at' | 'reason'>;

export class BlocksService {
  readonly executor: BlockExecutor;
  readonly timer: BlockTimer;
  readonly #d: ArDeps;
  /** How far the committed alerts have been decided on. */
  readonly cursor: AlertCursor;

  constructor(deps: ArDeps) {
    this.#d = deps;
    this.cursor = new AlertCursor(deps.db);
    this.executor = new BlockExecutor(deps);
    this.timer = new BlockTimer(deps.blocks, deps.now, (row) => this.#expire(row));
    this.executor.onTimerChange = () => this.timer.arm();
  }

  /**
   * After a restart: mark the script runs the stop cut short, finish interrupted deletes, redo
   * interrupted adds, arm the timer (due blocks run at once).
   */
  resume(): void {
    const d = this.#d;
    const now = d.now();
    d.db.transaction(() => {
      for (const run of d.runs.markInterrupted()) {
        d.runs.event(run.block_id, now, 'interrupted', null, `${run.action} (run ${run.id}, started ${new Date(run.started_at).toISOString()}) was cut short: the server stopped before the script ended`);
        d.arLog.line(now, 'portcullis', `interrupted ${run.command} ${run.action} (block ${run.block_id}, run ${run.id}): the server stopped before the script ended`);
        d.log.warn({ block: run.block_id, run: run.id, action: run.action }, `active response ${run.command} ${run.action} was interrupted by a server stop`);
      }
    })();
    for (const row of d.blocks.inStates(['releasing'])) void this.executor.remove(row.id);
    for (const row of d.blocks.inStates(['pending'])) {
      if (row.expires_at !== null && row.expires_at <= now) {
        this.commit(row.id, () => d.blocks.update(row.id, { state: 'releasing', ending: 'expired' }, now));
        void this.executor.remove(row.id);
      } else void this.executor.add(row.id);
    }
    this.timer.fire(); // what came due while the server was down goes now; then the timer is armed
  }

  stop(): void {
    this.timer.stop();
  }

  idle(): Promise<void> {
    return this.executor.idle();
  }

  /**
   * The pipeline's consumer: decisions are synchronous (rows first); scripts are queued. The
   * alerts cursor commits with the decisions (alert-cursor.ts): after a crash the alerts past it are
   * decided at start.
   */
  readonly consume = (alerts: readonly PersistedAlert[]): void => {
    if (alerts.length === 0) return;
    const policy = this.#d.policy();
    const now = this.#d.now();
    const last = alerts[alerts.length - 1]!.id;
    const ruleOf = (a: PersistedAlert): Rule | null => a.result.alertRule ?? a.result.rule;
    if (!alerts.some((a) => policy.bound.has(ruleOf(a)?.id ?? -1))) {
      this.cursor.pass(last, now);
      return;
    }
    this.#d.db.transaction(() => {
      for (const a of alerts) {
        const rule = ruleOf(a);
        if (!rule) continue;
        for (const b of policy.bound.get(rule.id) ?? []) {
          try {
            this.#decide(a, rule, b);
          } catch (err) {
            this.#d.log.error({ err, alert: a.id, command: b.command.name }, 'active response decision failed');
          }
        }
      }
      this.cursor.set(last, now);
    })();
  };

  /**
   * Decides on the alerts committed after the cursor and not decided on (the server stopped, or
   * crashed, between the two). Returns how many were decided and how many were too old to act on.
   */
  catchUp(rules: ReadonlyMap<number, Rule>): { decided: number; skipped: number } {
    let decided = 0;
    let skipped = 0;
    for (const part of this.cursor.pending(rules, this.#d.now())) {
      this.consume(part.batch);
      decided += part.batch.length;
      skipped += part.skipped;
    }
    return { decided, skipped };
  }

  #decide(a: PersistedAlert, rule: Rule, b: ArBinding): void {
    const d = this.#d;
    const policy = d.policy();
    const cmd = policy.commands.get(b.command.name)!;
    const now = d.now();
    const base = {
      command: cmd.name, executable: cmd.executable, protocol: cmd.protocol, origin: 'alert' as const, rule_id: rule.id, alert_id: a.id,
      ar_index: b.index, created_by: `rule ${rule.id}`, user: null, location: null, filename: null, request: null,
    };
    // The engine reads the srcip once (canonical, IPv4-mapped as IPv4): the white list, protection,
    // grace, dedupe, the stored row and the script all get req.ip. A refused row keeps the address
    // when it is one (a meaningless 0.0.0.0 is shown as such), never text that is not.
    const rawIp = a.result.event.srcip ?? null;
    const shownIp = rawIp === null ? null : canonicalIp(rawIp);
    const refuse = (r: Refusal): void => {
      this.refuse({ ...base, ip: shownIp }, refusalText(r), now);
    };
    const route = routeOf(b.location, policy.agentIds.get(b.index) ?? null, a.record.host ?? null, d.activeHosts());
    if (!isRoute(route)) return refuse(route);
    const req = checkArRequest(a.result, b, policy.whiteList, policy.dialect);
    if (isRefusal(req)) return refuse(req);
    const ip = req.ip;
    if (req.user !== null && req.user !== '' && !safeUser(req.user)) return refuse({ kind: 'unsafe-user', value: req.user });
    const filename = req.filename !== null && safeFilename(req.filename) ? req.filename : null;
    if (req.filename !== null && filename === null && cmd.expect.includes('filename')) return refuse({ kind: 'unsafe-filename', value: req.filename });
    if (ip !== null) {
      const why = d.protection.covers(ip);
      if (why !== null) return refuse({ kind: 'protected', why });
      const grace = d.blocks.grace(ip, now);
      if (grace) return refuse({ kind: 'grace', until: grace.until, by: grace.set_by });
    }
    const fields: ArFields = {
      user: req.user || null, ip, alertId: `${Math.floor(now / 1000)}.${a.id}`, ruleId: rule.id,
      location: safeLocation(a.record.location) ? a.record.location : null, filename,
    };
    const request = cmd.protocol === 'json'
      ? wazuhMessage('add', cmd.name, cmd.executable, fields, cmd.extraArgs, {
          time: now, ruleLevel: rule.level, ruleDescription: rule.description, ruleGroups: rule.groupList, decoder: a.record.decoder, hostname: d.hostname,
        })
      : null;
    this.#timeoutRequest({ ...base, ip, user: fields.user, location: fields.location, filename, request }, req, b, now, a.id, route);
  }

  /** execd's timeout list (spec §6.2–6.4) over the stored state: extend and escalate, or add. */
  #timeoutRequest(base: BlockBase, req: ArRequest, b: ArBinding, now: number, alertId: number, route: Route): void {
    const d = this.#d;
    let created: number | null = null;
    let serverAdded = false;
    const hostNames = route.hosts.map((h) => h.name).join(', ');
    const open = d.blocks.openFor(base.command, base.ip);
    d.db.transaction(() => {
      const tl = new TimeoutList();
      const key = TimeoutList.key(base.command, base.ip);
      const stored = d.blocks.offense(base.command, base.ip);
      if (open && open.expires_at !== null) {
        tl.restore({ key, command: base.command, ip: base.ip, addedAt: open.created_at / 1000, releaseAt: open.expires_at / 1000, timeout: open.timeout, offense: open.offense - 1 }, stored ?? 0);
      } else if (stored !== undefined) tl.restoreOffenses(key, stored);
      const dec = tl.request(req, now / 1000);
      const count = tl.offenseCount(key);
      if (count !== undefined && count !== stored) d.blocks.setOffense(base.command, base.ip, count, now);
      if (open) {
        // A duplicate: the script does not run again; the timer restarts (escalated). A manual
        // block is never shortened by an alert.
        let expires = dec.action === 'extend' ? now + dec.timeout * 1000 : open.expires_at;
        if (open.origin === 'manual' && open.expires_at !== null && expires !== null) expires = Math.max(expires, open.expires_at);
        if (open.origin === 'manual' && open.expires_at === null) expires = null;
        const timeout = dec.action === 'extend' && open.origin === 'alert' ? dec.timeout : open.timeout;
        // More targets: hosts join the block's deliveries; the server's script runs when it did not.
        serverAdded = route.server && open.server_script === 0;
        d.blocks.update(open.id, { expires_at: expires, timeout, offense: dec.offense + 1, hits: open.hits + 1, ...(serverAdded ? { server_script: 1 } : {}) }, now);
        const more = d.deliveries.target(open.id, route.hosts.map((h) => h.id));
        const until = expires === null ? 'until released' : `until ${new Date(expires).toISOString()}`;
        const also = [serverAdded ? 'the server' : null, more > 0 ? hostNames : null].filter(Boolean).join(', ');
        d.runs.event(open.id, now, 'extended', `rule ${base.rule_id}`, `${until}, offense ${dec.offense + 1}${also ? `; now also on ${also}` : ''}`, alertId);
        d.arLog.line(now, 'portcullis', `extended ${base.command} ${base.ip ?? '-'} ${until} (offense ${dec.offense + 1}, alert ${alertId})`);
        return;
      }
      // A block for hosts only runs no script here: it is active at once, its bouncers pull it.
      created = d.blocks.insert({
        ...base, state: route.server ? 'pending' : 'active', timeout: dec.timeout, offense: dec.offense + 1, created_at: now,
        expires_at: dec.timeout > 0 ? now + dec.timeout * 1000 : null, reason: null, server_script: route.server ? 1 : 0,
      });
      d.deliveries.target(created, route.hosts.map((h) => h.id));
      const where = route.hosts.length === 0 ? '' : ` on ${route.server ? 'the server, ' : ''}${hostNames}`;
      d.runs.event(created, now, 'created', `rule ${base.rule_id}`, `${b.command.name} for ${dec.timeout > 0 ? `${dec.timeout} s` : 'no timeout'}, offense ${dec.offense + 1}${where}`, alertId);
      if (!route.server) d.runs.event(created, now, 'active', null, `no script on the server: enforced by the bouncers of ${hostNames}`);
    })();
    const id = created ?? open!.id;
    d.publish(d.blocks.get(id)!);
    if (created !== null && route.server) void this.executor.add(created);
    else this.timer.arm();
    if (serverAdded) void this.executor.addToActive(id);
  }

  /** Records a refusal (a new `refused` row, or one more hit on a recent identical one). */
  refuse(base: BlockBase, reason: string, now: number, actor: ArActor | null = null): BlockRow {
    const d = this.#d;
    const recent = actor === null ? d.blocks.recentRefusal(base.command, base.ip, reason, now - REFUSAL_WINDOW_MS) : undefined;
    if (recent) return this.commit(recent.id, () => d.blocks.update(recent.id, { hits: recent.hits + 1 }, now));
    let id = 0;
    const row = this.commitNew(() => {
      id = d.blocks.insert({ ...base, state: 'refused', timeout: 0, offense: 1, created_at: now, expires_at: null, reason });
      d.runs.event(id, now, 'refused', actor?.name ?? base.created_by, reason, base.alert_id);
      if (actor) d.audit({ actor: actor.name, sourceIp: actor.ip, action: 'block.refused', target: base.ip ?? '-', after: { id, command: base.command, reason } });
      return id;
    });
    d.arLog.line(now, 'portcullis', `refused ${base.command} ${base.ip ?? '-'}: ${reason}`);
    return row;
  }

  /** The timer's action for a due block. */
  #expire(row: BlockRow): void {
    const d = this.#d;
    const now = d.now();
    this.commit(row.id, () => d.blocks.update(row.id, { state: 'releasing', ending: 'expired' }, now));
    void this.executor.remove(row.id);
  }

  /** Runs `fn` in a transaction, then publishes the block as it is now. */
  commit(id: number, fn: () => void): BlockRow {
    this.#d.db.transaction(fn)();
    const row = this.#d.blocks.get(id)!;
    this.#d.publish(row);
    return row;
  }

  /** Like commit, for a transaction that creates the block and returns its id. */
  commitNew(fn: () => number): BlockRow {
    const id = this.#d.db.transaction(fn)();
    const row = this.#d.blocks.get(id)!;
    this.#d.publish(row);
    return row;
  }
}
