// Reading blocks: the keyset-paged list with its filters, one block with its runs, and the
// timeline of one address (its alerts with their lines, script runs, blocks and releases, with actors).
import type { BlockDetail, BlockPage, BlockQuery, BlockState, IpTimeline, IpTimelineEvent } from '@portcullis/shared';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../alerts/alerts.repository.js';
import { canonicalIp } from './ar-args.js';
import type { ArDeps } from './ar-deps.js';
import type { EventRow, RunRow } from './ar-runs.repository.js';
import { blockTargets } from './block-targets.js';
import type { BlockRow } from './blocks.repository.js';
import { toBlock, toRun } from './blocks.mapper.js';

const TIMELINE_ALERTS = 200;
const TIMELINE_BLOCKS = 100;
const TIMELINE_EVENTS = 1000;

const EVENT_KIND: Record<string, IpTimelineEvent['kind']> = {
  created: 'block', extended: 'block', active: 'block', verified: 'block', drift: 'block',
  'release-requested': 'release', released: 'release', expired: 'expire', refused: 'refuse', failed: 'fail', 'delete-failed': 'fail',
  interrupted: 'script',
};

const iso = (ms: number): string => new Date(ms).toISOString();

export class BlocksQueries {
  readonly #d: ArDeps;

  constructor(deps: ArDeps) {
    this.#d = deps;
  }

  list(q: BlockQuery): BlockPage {
    const limit = q.limit ?? 100;
    let before: number | undefined;
    if (q.cursor !== undefined) {
      const id = decodeCursor(q.cursor);
      if (id === null) throw new BadRequestError('cursor is not one this server gave', 'BAD_CURSOR');
      before = id;
    }
    const rows = this.#d.blocks.list({
      limit: limit + 1, before,
      ip: q.ip === undefined ? undefined : (canonicalIp(q.ip) ?? q.ip),
      command: q.command, ruleId: q.rule_id, host: q.host,
      states: q.state === undefined ? undefined : (q.state.split(',') as BlockState[]),
    });
    const page = rows.slice(0, limit);
    const deliveries = this.#d.deliveries.ofBlocks(page.map((r) => r.id));
    const now = this.#d.now();
    const items = page.map((r) => this.#withTargets(r, deliveries.get(r.id) ?? [], now));
    return { items, next: rows.length > limit && items.length > 0 ? encodeCursor(items[items.length - 1]!.id) : null };
  }

  detail(id: number): BlockDetail {
    const row = this.#d.blocks.get(id);
    if (!row) throw new NotFoundError(`no block ${id}`);
    return { ...this.#withTargets(row, this.#d.deliveries.ofBlock(id), this.#d.now()), runs: this.#d.runs.runsOf(id).map(toRun) };
  }

  #withTargets(row: BlockRow, deliveries: Parameters<typeof blockTargets>[1], now: number): ReturnType<typeof toBlock> {
    return { ...toBlock(row), targets: blockTargets(row, deliveries, now) };
  }

  timeline(ipText: string): IpTimeline {
    const ip = canonicalIp(ipText);
    if (ip === null) throw new BadRequestError(`"${ipText}" is not an IPv4 or IPv6 address`, 'BAD_IP');
    const d = this.#d;
    const blocks = d.blocks.forIp(ip, TIMELINE_BLOCKS);
    const ids = blocks.map((b) => b.id);
    const byId = new Map(blocks.map((b) => [b.id, b]));
    const events: IpTimelineEvent[] = [];
    for (const a of d.runs.alertsOf(ip, TIMELINE_ALERTS).reverse()) {
      events.push({ time: iso(a.time), kind: 'alert', summary: `Rule ${a.rule_id} (level ${a.level}): ${a.description}`, alert_id: a.id, rule_id: a.rule_id, level: a.level, actor: null, detail: a.full_log, host: a.host });
    }
    for (const e of d.runs.eventsOfBlocks(ids)) events.push(this.#event(e, byId.get(e.block_id)!.command));
    for (const r of d.runs.runsOfBlocks(ids)) events.push(runEvent(r));
    // Newest first; within one millisecond, the later-recorded first.
    const order = new Map(events.map((e, i) => [e, i]));
    events.sort((x, y) => (x.time < y.time ? 1 : x.time > y.time ? -1 : order.get(y)! - order.get(x)!));
    const summary = d.runs.alertSummary(ip);
    const open = blocks.find((b) => b.state === 'pending' || b.state === 'active' || b.state === 'releasing') ?? null;
    const deliveries = d.deliveries.ofBlocks(ids);
    const now = d.now();
    const withTargets = (b: BlockRow): ReturnType<typeof toBlock> => this.#withTargets(b, deliveries.get(b.id) ?? [], now);
    const white = d.policy().whiteList.covers(ip);
    const prot = d.protection.covers(ip);
    return {
      ip,
      first_seen: summary.first === null ? null : iso(summary.first),
      last_seen: summary.last === null ? null : iso(summary.last),
      alert_count: summary.count,
      current: open ? withTargets(open) : null,
      whitelisted: white !== null ? `white list: ${white}` : prot !== null ? `protected: ${prot}` : null,
      blocks: blocks.map(withTargets),
      events: events.slice(0, TIMELINE_EVENTS),
    };
  }

  #event(e: EventRow, command: string): IpTimelineEvent {
    const what = e.kind.replace('-', ' ');
    return {
      time: iso(e.time), kind: EVENT_KIND[e.kind] ?? 'block', summary: `${command}: ${what}${e.detail ? ` — ${e.detail}` : ''}`,
      block_id: e.block_id, alert_id: e.alert_id, actor: e.actor, rule_id: null, level: null, detail: e.detail,
    };
  }
}

function runEvent(r: RunRow): IpTimelineEvent {
  const result = r.interrupted === 1 ? 'interrupted (the server stopped before it ended)' : r.duration_ms === null ? 'running' : r.exit_code !== null ? `exit ${r.exit_code} in ${r.duration_ms} ms` : (r.error ?? `killed (${r.signal ?? '?'})`);
  const argv = JSON.parse(r.argv) as string[];
  const call = argv.length > 0 ? `${r.executable} ${argv.join(' ')}` : `${r.executable} < ${r.stdin ?? ''}`;
  const out = [r.stderr.trim(), r.stdout.trim()].filter(Boolean).join('\n');
  return {
    time: iso(r.started_at), kind: 'script', summary: `${r.command} ${r.action}: ${result}`, block_id: r.block_id, run_id: r.id,
    actor: null, detail: out ? `${call}\n${out}` : call,
  };
}
