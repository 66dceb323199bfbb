// The pattern tests of a rule: field elements (program_name, user, url, …, with their *_pcre2
// forms) and the tests of `log` (match, regex, pcre2), each in its dialect (spec §4, §5.1, §11.1).
import { compileElementPattern } from './decoders.js';
import { RulesetError } from './errors.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import type { PatternRecipe } from './rule-recipes.js';
import { FIELD_TESTS, makePattern, makeTest, patternRecipe } from './rule-recipes.js';
import type { RuleParseContext } from './rule-tests.js';
import type { Rule } from './rules.js';
import type { XmlElement } from './xml.js';
import { attrCI } from './xml.js';

/** Repeated elements concatenated: their text, the first element (for positions) and the last (its attributes win). */
export interface Concat {
  text: string;
  first: XmlElement;
  last: XmlElement;
}

export { FIELD_TESTS };

/** Adds the field and log tests of `concat` to `rule.tests` (and the prefilter hints they give). */
export function compilePatternTests(rule: Rule, concat: Map<string, Concat>, dialect: Dialect, ctx: RuleParseContext): void {
  const t = rule.tests;
  const recipe = (p: Pattern): PatternRecipe => patternRecipe(p)!;
  for (const key of ['program_name', 'id', 'action', 'url', 'srcport', 'dstport', 'user', 'extra_data', 'data', 'hostname', 'status', 'system_name', 'protocol', 'location', 'srcgeoip', 'dstgeoip']) {
    const classic = concat.get(key);
    const pcre = concat.get(`${key}_pcre2`);
    let p: Pattern | null = null;
    if (classic) {
      const negate = dialect === 'wazuh' && attrCI(classic.last, 'negate')?.value.toLowerCase() === 'yes';
      const dflt = key === 'action' ? 'string' : 'osmatch';
      const type = dialect === 'wazuh' ? (attrCI(classic.last, 'type')?.value.toLowerCase() ?? dflt) : dflt;
      p = compileTyped(classic.first, classic.text, type, dialect, negate, false);
    } else if (pcre) {
      p = compileTyped(pcre.first, pcre.text, 'pcre2', dialect, false, true);
    }
    if (p) t.push(makeTest(rule, { k: 'field', key, pattern: recipe(p) }, ctx, dialect, p));
  }
  const match = concat.get('match');
  const matchPcre = concat.get('match_pcre2');
  if (match) {
    const negate = dialect === 'wazuh' && attrCI(match.last, 'negate')?.value.toLowerCase() === 'yes';
    const type = dialect === 'wazuh' ? (attrCI(match.last, 'type')?.value.toLowerCase() ?? 'osmatch') : 'osmatch';
    const p = compileTyped(match.first, match.text, type, dialect, negate, false);
    rule.logFirstChars = p.firstChars();
    t.push(makeTest(rule, { k: 'log', pattern: recipe(p) }, ctx, dialect, p));
  } else if (matchPcre) {
    const p = compileTyped(matchPcre.first, matchPcre.text, 'pcre2', dialect, false, true);
    t.push(makeTest(rule, { k: 'log', pattern: recipe(p) }, ctx, dialect, p));
  }
  const regex = concat.get('regex');
  const pcre2 = concat.get('pcre2');
  if (regex) {
    const negate = dialect === 'wazuh' && attrCI(regex.last, 'negate')?.value.toLowerCase() === 'yes';
    const type = dialect === 'wazuh' ? (attrCI(regex.last, 'type')?.value.toLowerCase() ?? 'osregex') : 'osregex';
    const p = compileTyped(regex.first, regex.text, type, dialect, negate, false);
    rule.logFirstChars ??= p.firstChars();
    t.push(makeTest(rule, { k: 'log', pattern: recipe(p) }, ctx, dialect, p));
  } else if (pcre2) {
    if (pcre2.text === '') throw new RulesetError('BAD_REGEX', 'empty <pcre2> pattern', pcre2.first.file, pcre2.first.line, pcre2.first.column);
    const p = compileTyped(pcre2.first, pcre2.text, 'pcre2', dialect, false, true);
    rule.logFirstChars ??= p.firstChars();
    t.push(makeTest(rule, { k: 'log', pattern: recipe(p) }, ctx, dialect, p));
  }
}

export function compileTyped(el: XmlElement, text: string, type: string, dialect: Dialect, negate: boolean, pcreCaseless: boolean): Pattern {
  return compileElementPattern(el, text, () => {
    switch (type) {
      case 'pcre2':
        return makePattern({ f: 'pcre2', p: text, d: dialect, c: pcreCaseless || dialect === 'ossec', n: negate });
      case 'osregex':
        return makePattern({ f: 'osregex', p: text, d: dialect, n: negate });
      case 'osmatch':
        return makePattern({ f: 'osmatch', p: text, d: dialect, n: negate });
      case 'string':
        return makePattern({ f: 'string', p: text, n: negate });
      default:
        throw new RulesetError('BAD_VALUE', `type="${type}" is not valid on <${el.name}> (expected osmatch, osregex or pcre2)`, el.file, el.line, el.column);
    }
  });
}
