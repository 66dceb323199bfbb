// The pattern tests of a rule: field elements (program_name, user, url, …, with their *_pcre2
// forms) and the tests of `log` (match, regex, pcre2), each in its dialect (spec §4, §5.1, §11.1).
import { compileElementPattern } from './decoders.js';
import { RulesetError } from './errors.js';
import type { Event } from './event.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { compileOsMatch, compileOsRegex, compilePcre2, compileString } from './regex/pattern.js';
import { logTest } from './rule-tests.js';
import type { Rule } from './rules.js';
import type { XmlElement } from './xml.js';
import { attrCI } from './xml.js';

/** Repeated elements concatenated: their text, the first element (for positions) and the last (its attributes win). */
export interface Concat {
  text: string;
  first: XmlElement;
  last: XmlElement;
}

/** Field-test elements: element name → how to read the subject from the event. */
export const FIELD_TESTS: Record<string, (ev: Event) => string | undefined> = {
  program_name: (ev) => ev.programName ?? undefined,
  hostname: (ev) => ev.hostname ?? undefined,
  user: (ev) => ev.dstuser ?? ev.srcuser,
  srcport: (ev) => ev.srcport,
  dstport: (ev) => ev.dstport,
  id: (ev) => ev.id,
  url: (ev) => ev.url,
  status: (ev) => ev.status,
  extra_data: (ev) => ev.extra_data,
  data: (ev) => ev.extra_data,
  system_name: (ev) => ev.system_name,
  protocol: (ev) => ev.proto,
  location: (ev) => ev.location,
  action: (ev) => ev.action,
  srcgeoip: () => undefined,
  dstgeoip: () => undefined,
};

/** Adds the field and log tests of `concat` to `rule.tests` (and the prefilter hints they give). */
export function compilePatternTests(rule: Rule, concat: Map<string, Concat>, dialect: Dialect): void {
  const t = rule.tests;
  for (const key of ['program_name', 'id', 'action', 'url', 'srcport', 'dstport', 'user', 'extra_data', 'data', 'hostname', 'status', 'system_name', 'protocol', 'location', 'srcgeoip', 'dstgeoip']) {
    const classic = concat.get(key);
    const pcre = concat.get(`${key}_pcre2`);
    const get = FIELD_TESTS[key]!;
    let p: Pattern | null = null;
    if (classic) {
      const negate = dialect === 'wazuh' && attrCI(classic.last, 'negate')?.value.toLowerCase() === 'yes';
      const dflt = key === 'action' ? 'string' : 'osmatch';
      const type = dialect === 'wazuh' ? (attrCI(classic.last, 'type')?.value.toLowerCase() ?? dflt) : dflt;
      p = compileTyped(classic.first, classic.text, type, dialect, negate, false);
    } else if (pcre) {
      p = compileTyped(pcre.first, pcre.text, 'pcre2', dialect, false, true);
    }
    if (p) {
      const pat = p;
      if (key === 'program_name') rule.programNameTest = (name) => name !== null && pat.test(name);
      t.push((ev) => {
        const v = get(ev);
        return v !== undefined && pat.test(v);
      });
    }
  }
  const match = concat.get('match');
  const matchPcre = concat.get('match_pcre2');
  if (match) {
    const negate = dialect === 'wazuh' && attrCI(match.last, 'negate')?.value.toLowerCase() === 'yes';
    const type = dialect === 'wazuh' ? (attrCI(match.last, 'type')?.value.toLowerCase() ?? 'osmatch') : 'osmatch';
    const p = compileTyped(match.first, match.text, type, dialect, negate, false);
    rule.logFirstChars = p.firstChars();
    t.push(logTest(p));
  } else if (matchPcre) {
    const p = compileTyped(matchPcre.first, matchPcre.text, 'pcre2', dialect, false, true);
    t.push(logTest(p));
  }
  const regex = concat.get('regex');
  const pcre2 = concat.get('pcre2');
  if (regex) {
    const negate = dialect === 'wazuh' && attrCI(regex.last, 'negate')?.value.toLowerCase() === 'yes';
    const type = dialect === 'wazuh' ? (attrCI(regex.last, 'type')?.value.toLowerCase() ?? 'osregex') : 'osregex';
    const p = compileTyped(regex.first, regex.text, type, dialect, negate, false);
    rule.logFirstChars ??= p.firstChars();
    t.push(logTest(p));
  } else if (pcre2) {
    if (pcre2.text === '') throw new RulesetError('BAD_REGEX', 'empty <pcre2> pattern', pcre2.first.file, pcre2.first.line, pcre2.first.column);
    const p = compileTyped(pcre2.first, pcre2.text, 'pcre2', dialect, false, true);
    rule.logFirstChars ??= p.firstChars();
    t.push(logTest(p));
  }
}

export function compileTyped(el: XmlElement, text: string, type: string, dialect: Dialect, negate: boolean, pcreCaseless: boolean): Pattern {
  return compileElementPattern(el, text, () => {
    switch (type) {
      case 'pcre2':
        return compilePcre2(text, { dialect, caseless: pcreCaseless || dialect === 'ossec', negate });
      case 'osregex':
        return compileOsRegex(text, { dialect, negate });
      case 'osmatch':
        return compileOsMatch(text, { dialect, negate });
      case 'string':
        return compileString(text, negate);
      default:
        throw new RulesetError('BAD_VALUE', `type="${type}" is not valid on <${el.name}> (expected osmatch, osregex or pcre2)`, el.file, el.line, el.column);
    }
  });
}
