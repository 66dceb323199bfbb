// `portcullis replay FILE`: the whole file through the engine and the config's active responses,
// on log time, running no script. "Would this block, and when?" for a whole log file.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { ArBinding } from '@portcullis/engine';
import { TimeoutList, WhiteList, arTarget, bindActiveResponses, checkArRequest, isRefusal, splitLongLine, syslogTime } from '@portcullis/engine';
import { arBindingsOf } from '../modules/active-response/policy.js';
import type { Context } from './context.js';
import { UsageError, loadContext, newEngine, tzOffset } from './context.js';
import { readLines } from './read-lines.js';

export interface ReplayBlock {
  ip: string;
  at: string;
  rule_id: number;
  command: string;
  timeout: number;
  release_at: string | null;
}

export interface ReplayReport {
  lines: number;
  alerts: Record<string, number>;
  blocks: ReplayBlock[];
  lines_per_second: number;
}

/** ISO 8601 with the local offset, e.g. 2024-03-04T18:13:23+00:00. */
export function isoLocal(seconds: number): string {
  const d = new Date(seconds * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function arBindings(ctx: Context): ArBinding[] {
  return arBindingsOf(ctx.cfg);
}

export async function replay(ctx: Context, file: string, year: number): Promise<ReplayReport & { agentOnly: number; refused: Record<string, number> }> {
  const engine = newEngine(ctx);
  const bound = bindActiveResponses(ctx.ruleset.tree.all, arBindings(ctx), ctx.dialect);
  const white = new WhiteList(ctx.cfg.whiteList);
  const timeouts = new TimeoutList();
  const alerts: Record<string, number> = {};
  const blocks: ReplayBlock[] = [];
  const open = new Map<string, ReplayBlock>();
  const refused: Record<string, number> = {};
  let agentOnly = 0;
  let lines = 0;
  let time = Date.now() / 1000;
  const start = performance.now();
  for await (const line of readLines(file)) {
    lines++;
    const t = syslogTime(line, year, tzOffset);
    if (t !== null) time = t;
    for (const e of timeouts.due(time)) open.delete(e.key);
    for (const chunk of splitLongLine(line, engine.maxEventLength)) {
      for (const r of engine.process(chunk, file, time)) {
        if (!r.alert && !(r.alertRule && r.alertRule.options.has('no_log'))) continue;
        const rule = r.alertRule!;
        if (r.alert) alerts[rule.id] = (alerts[rule.id] ?? 0) + 1;
        for (const b of bound.get(rule.id) ?? []) {
          if (arTarget(b.location) !== 'local') {
            agentOnly++;
            continue;
          }
          const req = checkArRequest(r, b, white, ctx.dialect);
          if (isRefusal(req)) {
            refused[req.kind] = (refused[req.kind] ?? 0) + 1;
            continue;
          }
          if (req.ip === null) continue;
          const d = timeouts.request(req, time);
          if (d.action === 'extend') {
            const blk = open.get(d.entry.key);
            if (blk) {
              blk.release_at = isoLocal(d.entry.releaseAt);
              blk.timeout = d.timeout;
            }
            continue;
          }
          const blk: ReplayBlock = { ip: req.ip, at: isoLocal(time), rule_id: rule.id, command: b.command.name, timeout: d.timeout, release_at: d.entry ? isoLocal(d.entry.releaseAt) : null };
          blocks.push(blk);
          if (d.entry) open.set(d.entry.key, blk);
        }
      }
    }
  }
  const secs = (performance.now() - start) / 1000;
  return { lines, alerts, blocks, lines_per_second: Math.round(lines / Math.max(secs, 1e-6)), agentOnly, refused };
}

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      home: { type: 'string' },
      config: { type: 'string' },
      dialect: { type: 'string' },
      year: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('usage: portcullis replay FILE [--home DIR] [--config FILE] [--dialect wazuh|ossec] [--year YYYY] [--json]');
  const year = values.year ? Number(values.year) : new Date().getFullYear();
  if (!Number.isInteger(year) || year < 1970 || year > 9999) throw new UsageError(`--year must be a year, not "${values.year}"`);
  const ctx = loadContext({ home: values.home, config: values.config, dialect: values.dialect });
  const rep = await replay(ctx, file, year);
  if (values.json) {
    const out: ReplayReport = { lines: rep.lines, alerts: rep.alerts, blocks: rep.blocks, lines_per_second: rep.lines_per_second };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  const total = Object.values(rep.alerts).reduce((a, b) => a + b, 0);
  const lines: string[] = [];
  lines.push(`${file}: ${rep.lines} lines, ${total} alerts, ${rep.blocks.length} blocks (${ctx.dialect} dialect, config ${ctx.configPath})`);
  lines.push('');
  lines.push('Alerts by rule:');
  const byRule = Object.entries(rep.alerts).sort((a, b) => b[1] - a[1]);
  for (const [id, n] of byRule) {
    const rule = ctx.ruleset.tree.byId.get(Number(id));
    lines.push(`  ${String(n).padStart(8)}  ${id.padEnd(6)} level ${String(rule?.level ?? '?').padStart(2)}  ${rule?.description ?? ''}`);
  }
  lines.push('');
  lines.push(rep.blocks.length > 0 ? 'Blocks (would run, no script was run):' : 'No blocks would be issued.');
  for (const b of rep.blocks)
    lines.push(`  ${b.at}  ${b.command.padEnd(14)} ${b.ip.padEnd(39)} rule ${b.rule_id}  timeout ${b.timeout}s  release ${b.release_at ?? 'never'}`);
  if (rep.agentOnly > 0) lines.push(`\n${rep.agentOnly} response(s) bound to agents were not counted: no agents configured.`);
  for (const [k, n] of Object.entries(rep.refused)) lines.push(`${n} response(s) refused: ${k}`);
  lines.push('');
  lines.push(`${rep.lines_per_second} lines/second`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
