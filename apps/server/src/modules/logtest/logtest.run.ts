// The log test itself, run in a worker thread (workers/ruleset.worker.ts): pasted lines through a
// fresh engine on a compiled ruleset, the three phases of each line and the replay of the paste.
// Everything it needs comes as data (LogtestRun), so it can run apart from the live objects.
import type { ArBinding, CompiledRuleset, EngineOptions, ProcessResult, Rule } from '@portcullis/engine';
import { Engine, WhiteList, bindActiveResponses, logTime } from '@portcullis/engine';
import type { LogtestLine, LogtestResponse } from '@portcullis/shared';
import ipaddr from 'ipaddr.js';
import { tzOffset } from '../../cli/context.js';
import { Replayer } from '../../pipeline/replayer.js';
import { correlates } from '../../pipeline/rule-overrides.js';
import { canonicalIp } from '../active-response/ar-args.js';

/**
 * Built-in protection as data: `Protection.enabled` and `Protection.list()` when the test started.
 * Loopback is matched by range, the other entries (this host, signed-in admins) exactly, as
 * `Protection.covers` does.
 */
export interface ProtectionSnapshot {
  enabled: boolean;
  entries: Array<{ value: string; reason: string }>;
}

export interface LogtestRun {
  lines: string[];
  ruleset: 'live' | 'draft';
  /** `log`: each line's syslog timestamp; `now`: `now`. */
  time: 'now' | 'log';
  year: number;
  /** The time of the test, ms. */
  now: number;
  engineOptions: Partial<EngineOptions>;
  /** The config's enabled <active-response> blocks (arBindingsOf). */
  bindings: ArBinding[];
  /** The config's white list and the dashboard's. */
  whiteList: string[];
  protection: ProtectionSnapshot;
}

function protector(p: ProtectionSnapshot): (ip: string) => string | null {
  const exact = new Map(p.entries.map((e) => [e.value, e.reason]));
  return (text) => {
    const ip = canonicalIp(text);
    if (!p.enabled || ip === null) return null;
    if (ipaddr.parse(ip).range() === 'loopback') return 'loopback address';
    return exact.get(ip) ?? null;
  };
}

function chainOf(rule: Rule): number[] {
  const ids = [rule.id];
  const seen = new Set<Rule>([rule]);
  for (let p = rule.parents[0]; p && !seen.has(p); p = p.parents[0]) {
    seen.add(p);
    ids.unshift(p.id);
  }
  return ids;
}

function correlation(rule: Rule): string | null {
  if (!correlates(rule)) return null;
  const over = rule.ifMatchedSid !== null ? `rule ${rule.ifMatchedSid}` : rule.ifMatchedGroup !== null ? `group ${rule.ifMatchedGroup}` : 'matching events';
  const same = rule.sameFields.length > 0 ? `, same ${rule.sameFields.join(', ')}` : '';
  return `frequency ${rule.frequency ?? 1} in ${rule.timeframe} s (${over}${same})`;
}

export function lineResult(n: number, input: string, results: ProcessResult[]): LogtestLine {
  const r = results.findLast((x) => x.alert) ?? results[results.length - 1];
  if (!r) {
    return { line: n, input, processed: false, predecode: { timestamp: null, hostname: null, program_name: null, log: input }, decode: { decoder: null, parent: null, fields: {} }, rule: null, alert: false };
  }
  const ev = r.event;
  const rule = r.alertRule ?? r.rule;
  return {
    line: n,
    input,
    processed: true,
    predecode: { timestamp: ev.timestamp, hostname: ev.hostname, program_name: ev.programName, log: ev.log },
    decode: { decoder: ev.decoder?.name ?? null, parent: ev.decoder?.parent ?? null, fields: ev.fieldsObject() },
    rule: rule ? { id: rule.id, level: rule.level, description: r.description ?? rule.description, groups: rule.groupList, chain: chainOf(rule), correlation: correlation(rule) } : null,
    alert: r.alert,
  };
}

/**
 * Runs the lines on `compiled` with a new engine (which starts from a clean correlation state).
 * Callers must not run two tests on one compiled ruleset at once: the state lives on its rules.
 */
export function runLogtest(compiled: CompiledRuleset, run: LogtestRun): LogtestResponse {
  const engine = new Engine(compiled, run.engineOptions);
  const replayer = new Replayer(engine, {
    dialect: compiled.dialect,
    bound: bindActiveResponses(compiled.tree.all, run.bindings, compiled.dialect),
    whiteList: new WhiteList(run.whiteList),
    protect: protector(run.protection),
  });
  let time = run.now / 1000;
  const results = run.lines.map((input, i) => {
    if (run.time === 'log') time = logTime(input, run.year, tzOffset) ?? time;
    return lineResult(i + 1, input, replayer.feed(input, 'stdin', time, i + 1));
  });
  return {
    ruleset: run.ruleset,
    results,
    replay: { lines: replayer.lines, alerts: replayer.alerts, blocks: replayer.blocks, refused: replayer.refused },
  };
}
