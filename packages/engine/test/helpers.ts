// Small builders shared by the engine tests: every test writes its own decoders and rules inline,
// compiles them, and runs lines through a fresh Engine.
import type { CompiledRuleset, Dialect, EngineOptions, ProcessResult } from '../src/index.js';
import { compileRuleset, Engine, RulesetLoadError } from '../src/index.js';

/** Rule 1, the syslog root every syslog-category event starts from (as in rules_config.xml). */
export const ROOT_RULES = `<group name="syslog,">
  <rule id="1" level="0" noalert="1">
    <category>syslog</category>
    <description>Generic syslog root</description>
  </rule>
</group>
`;

export interface BuildOptions extends Partial<EngineOptions> {
  /** Prepend ROOT_RULES to the rules file (default true). */
  withRoot?: boolean;
}

export function buildRuleset(decoders: string, rules: string, opts: BuildOptions = {}): CompiledRuleset {
  const dialect: Dialect = opts.dialect ?? 'wazuh';
  const text = (opts.withRoot ?? true) ? ROOT_RULES + rules : rules;
  return compileRuleset(
    { decoders: [{ path: 'test_decoders.xml', text: decoders }], rules: [{ path: 'test_rules.xml', text }] },
    { dialect, defaultTimeframe: opts.defaultTimeframe, sidPrevMatchedMax: opts.sidPrevMatchedMax },
  );
}

export function buildEngine(decoders: string, rules: string, opts: BuildOptions = {}): Engine {
  return new Engine(buildRuleset(decoders, rules, opts), opts);
}

/** A syslog line with a standard header: `Dec 29 10:00:01 <host> <program>[<pid>]: <msg>`. */
export function syslogLine(msg: string, program = 'app', host = 'host1'): string {
  return `Dec 29 10:00:01 ${host} ${program}[123]: ${msg}`;
}

/** Runs one line and returns the rule id it alerted as (or null). */
export function alertId(engine: Engine, line: string, time = 1_000): number | null {
  return engine.processOne(line, 'stdin', time).alertRule?.id ?? null;
}

/** The compile errors of a ruleset that must not load (fails the test if it loads). */
export function loadErrors(decoders: string, rules: string, opts: BuildOptions = {}): RulesetLoadError['errors'] {
  try {
    buildRuleset(decoders, rules, opts);
  } catch (e) {
    if (e instanceof RulesetLoadError) return e.errors;
    throw e;
  }
  throw new Error('the ruleset was expected to fail to load, but it loaded');
}

/** What a test usually wants to see of a result. */
export function summary(r: ProcessResult): { decoder: string | null; fields: Record<string, string>; rule: number | null; alert: boolean } {
  return { decoder: r.event.decoder?.name ?? null, fields: r.event.fieldsObject(), rule: (r.alertRule ?? r.rule)?.id ?? null, alert: r.alert };
}

/** A decoder that accepts every line with program name `app` and no other fields. */
export const APP_DECODER = '<decoder name="app"><program_name>^app$</program_name></decoder>\n';

/** Rule 100: the noalert entry point for the `app` decoder; tests add children with if_sid 100. */
export const APP_BASE_RULE = `<group name="app,">
  <rule id="100" level="0" noalert="1">
    <decoded_as>app</decoded_as>
    <description>app messages</description>
  </rule>
</group>
`;
