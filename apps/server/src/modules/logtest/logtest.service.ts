// The dashboard's log test: pasted lines through a fresh engine on the live ruleset (or on a draft
// of one file), the three phases of each line, and the replay's "would this block, and when?" for
// the whole paste. Nothing is stored, no script runs, the running engine is not touched: the
// ruleset is compiled apart (an engine keeps its correlation state on the rule objects).
import type { CompiledRuleset, Engine, ProcessResult, Rule } from '@portcullis/engine';
import { Engine as EngineClass, WhiteList, bindActiveResponses, syslogTime } from '@portcullis/engine';
import type { LogtestLine, LogtestRequest, LogtestResponse } from '@portcullis/shared';
import { tzOffset } from '../../cli/context.js';
import { Replayer } from '../../pipeline/replayer.js';
import { correlates } from '../../pipeline/rule-overrides.js';
import type { RulesetManager } from '../../pipeline/ruleset-manager.js';
import { arBindingsOf } from '../active-response/policy.js';
import { RulesetInvalidError, type RulesetFilesService } from '../ruleset/files.service.js';

export interface LogtestDeps {
  ruleset: RulesetManager;
  files: RulesetFilesService;
  /** The white list as active response uses it: the config's entries and the dashboard's. */
  whiteList: () => string[];
  /** Built-in protection: why an address is never blocked, or null. */
  protect: (ip: string) => string | null;
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

export class LogtestService {
  /** The live ruleset compiled apart, once per running engine (each test starts a new Engine on it). */
  #live: { for: Engine; ruleset: CompiledRuleset } | null = null;

  constructor(private readonly d: LogtestDeps) {}

  #compiled(req: LogtestRequest): CompiledRuleset {
    const { ruleset, files } = this.d;
    if (req.draft) {
      const input = files.draftInput(req.draft.path, req.draft.content);
      try {
        return ruleset.compile(input);
      } catch (err) {
        throw new RulesetInvalidError({ ok: false, errors: files.errors(err), rules: 0, decoders: 0 });
      }
    }
    if (this.#live?.for !== ruleset.engine) this.#live = { for: ruleset.engine, ruleset: ruleset.compile(ruleset.context.files) };
    return this.#live.ruleset;
  }

  /** Runs the lines. A draft that does not compile throws RulesetInvalidError (422). */
  run(req: LogtestRequest, now = Date.now()): LogtestResponse {
    const ctx = this.d.ruleset.context;
    const compiled = this.#compiled(req);
    // Synchronous from here to the end: no other test can start an engine on this ruleset meanwhile.
    const engine = new EngineClass(compiled, ctx.engineOptions);
    const replayer = new Replayer(engine, {
      dialect: ctx.dialect,
      bound: bindActiveResponses(compiled.tree.all, arBindingsOf(ctx.cfg), ctx.dialect),
      whiteList: new WhiteList(this.d.whiteList()),
      protect: this.d.protect,
    });
    const year = req.year ?? new Date(now).getFullYear();
    const useLog = req.time === 'log';
    let time = now / 1000;
    const results = req.lines.map((input, i) => {
      if (useLog) time = syslogTime(input, year, tzOffset) ?? time;
      return lineResult(i + 1, input, replayer.feed(input, 'stdin', time, i + 1));
    });
    return {
      ruleset: req.draft ? 'draft' : 'live',
      results,
      replay: { lines: replayer.lines, alerts: replayer.alerts, blocks: replayer.blocks, refused: replayer.refused },
    };
  }
}
