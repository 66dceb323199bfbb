// Patterns that could take exponential or cubic time on V8's backtracking engine are routed to a
// linear-time engine. The timing assertions below are a safety property (a hostile line cannot stall
// the pipeline), with a generous bound; they are not a benchmark.
import { describe, expect, it } from 'vitest';
import { regexStats } from '../src/index.js';
import { needsLinearEngine } from '../src/regex/safety.js';
import { translateOsRegex, translatePcre2 } from '../src/regex/translate.js';
import { buildEngine } from './helpers.js';

const osRegex = (p: string) => translateOsRegex(p, true);
const pcre2 = (p: string) => translatePcre2(p).source;

describe('needsLinearEngine', () => {
  it.each([
    ['nested quantifier (a+)+$', '(a+)+$'],
    ['nested quantifier under alternation (a|a)*$', '(a|a)*$'],
    ['three lazy runs that trade characters', '(\\S+?)(\\S+?)(\\S+?)!'],
    ['OS_Regex \\.+\\.+\\.+!', osRegex('\\.+\\.+\\.+!')],
    ['PCRE2 (.*)(.*)(.*)X', pcre2('(.*)(.*)(.*)X')],
    ['PCRE2 (\\w+\\s?)*$', pcre2('(\\w+\\s?)*$')],
  ])('is true for %s', (_name, source) => {
    expect(needsLinearEngine(source)).toBe(true);
  });

  it.each([
    ['OS_Regex sshd failure', osRegex('^Failed \\S+ for (\\S+) from (\\S+) port (\\d+)')],
    ['PCRE2 sshd failure', pcre2('^Failed \\S+ for (\\S+) from (\\S+) port (\\d+)')],
    ['OS_Regex lazy pair', osRegex('(\\.+) from (\\S+)$')],
    ['OS_Regex word-dash-word', osRegex('^(\\w+)-(\\w+)$')],
    ['runs separated by a literal the runs cannot contain', osRegex('(\\S+)\\s+(\\S+)\\s+(\\S+)$')],
    ['disjoint runs', 'a+b+c+'],
  ])('is false for %s', (_name, source) => {
    expect(needsLinearEngine(source)).toBe(false);
  });
});

describe('catastrophic patterns run in bounded time', () => {
  // A prematch-only decoder without program name, so headerless lines are decoded and reach rule 1.
  const decoders = '<decoder name="any"><prematch>^</prematch></decoder>';
  const ruleWith = (element: string) => `<group name="redos,">
  <rule id="200" level="5"><if_sid>1</if_sid>${element}<description>hostile pattern</description></rule>
</group>
`;
  const A = 'a'.repeat(6000);

  it('routes them to the linear engine when the ruleset compiles', () => {
    const before = regexStats.re2;
    buildEngine(decoders, ruleWith('<pcre2>(a+)+$</pcre2>'), { dialect: 'ossec' });
    expect(regexStats.re2 - before).toBe(1);
  });

  it.each([
    ['<pcre2>(a+)+$</pcre2>', '6,000 a (matches)', A, true],
    ['<pcre2>(a+)+$</pcre2>', '6,000 a then ! (no match)', `${A}!`, false],
    ['<regex>\\.+\\.+\\.+!</regex>', '6,000 a (no match)', A, false],
    ['<regex>\\.+\\.+\\.+!</regex>', '6,000 a then ! (matches)', `${A}!`, true],
    ['<pcre2>^(\\w+\\s?)*$</pcre2>', '6,000 a (matches)', A, true],
    ['<pcre2>^(\\w+\\s?)*$</pcre2>', '3,000 "a " then ! (no match)', `${'a '.repeat(3000)}!`, false],
    ['<regex>(\\S+)(\\S+)(\\S+)!</regex>', '6,000 a (no match)', A, false],
    ['<regex>(\\S+)(\\S+)(\\S+)!</regex>', '6,000 a then ! (matches)', `${A}!`, true],
  ])('%s on %s answers within the bound', (element, _what, line, expected) => {
    const engine = buildEngine(decoders, ruleWith(element), { dialect: 'ossec' });
    const start = performance.now();
    const r = engine.processOne(line, 'stdin', 1_000);
    const elapsed = performance.now() - start;
    expect(r.alertRule?.id === 200).toBe(expected);
    expect(elapsed).toBeLessThan(2000);
  });

  it('still gives the regex answers on short lines', () => {
    const engine = buildEngine(decoders, ruleWith('<pcre2>(a+)+$</pcre2>'), { dialect: 'ossec' });
    expect(engine.processOne('xx-aaaa', 'stdin', 1).alertRule?.id).toBe(200);
    expect(engine.processOne('aaa!-', 'stdin', 2).alertRule).toBeNull();
  });
});
