// Rules: parsing `<group><rule>` XML into Rule objects with compiled tests (spec §5.1, §11.1).
// Tree placement and evaluation live in rule-tree.ts and evaluate.ts.
import { compileElementPattern } from './decoders.js';
import { RulesetError, RulesetLoadError } from './errors.js';
import type { Event } from './event.js';
import type { IpEntry } from './ip-list.js';
import { IpListError, ipListMatches, parseIpEntry } from './ip-list.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { compileOsMatch, compileOsRegex, compilePcre2, compileString } from './regex/pattern.js';
import type { EventList } from './event-list.js';
import type { EventTest, Lists, RuleParseContext } from './rule-tests.js';
import { listTest, logTest, parseTime, parseWeekday } from './rule-tests.js';
import { substitute } from './variables.js';
import type { XmlElement } from './xml.js';
import { attrCI } from './xml.js';

export type { EventTest, Lists, RuleParseContext };

function err(el: XmlElement, code: RulesetError['code'], msg: string): RulesetError {
  return new RulesetError(code, msg, el.file, el.line, el.column);
}

function intAttr(el: XmlElement, name: string, min: number, max: number, vars: Map<string, string>): number | null {
  const a = attrCI(el, name);
  if (a === undefined) return null;
  const v = substitute(a.value, vars, el).trim();
  if (!/^\d+$/.test(v)) throw new RulesetError('BAD_VALUE', `${name}="${a.value}" is not a number`, el.file, a.line, a.column);
  const n = Number(v);
  if (n < min || n > max) throw new RulesetError('BAD_VALUE', `${name}="${a.value}" is out of range (${min}..${max})`, el.file, a.line, a.column);
  return n;
}

interface Concat {
  text: string;
  first: XmlElement;
  last: XmlElement;
}

export interface RuleInfo {
  type: string;
  value: string;
}

export interface Rule {
  id: number;
  level: number;
  file: string;
  line: number;
  column: number;
  /** Canonical text of the rule element, hashed for override bookkeeping. */
  sourceText: string;
  /**
   * Never matches (an admin's override, set by the caller after compiling): the rule's tests fail,
   * so its children are not reached either, as if the rule were not there. Not in any rule file.
   */
  disabled: boolean;
  frequency: number | null;
  timeframe: number;
  ignoreSeconds: number;
  noalert: boolean;
  accuracyZero: boolean;
  maxsize: number;
  overwrite: boolean;
  category: string | null;
  decodedAs: string | null;
  ifSid: number[];
  ifGroup: string | null;
  ifLevel: number | null;
  ifMatchedSid: number | null;
  ifMatchedGroup: string | null;
  ifMatchedRegex: Pattern | null;
  tests: EventTest[];
  sameFields: string[];
  differentFields: string[];
  globalFrequency: boolean;
  /** Group string as OSSEC keeps it: "a,b,c," */
  groups: string;
  groupList: string[];
  description: string;
  info: RuleInfo[];
  options: Set<string>;
  ignoreFields: string[] | null;
  checkIfIgnored: string[] | null;
  ifFts: boolean;
  mitre: string[];
  // tree and state
  children: Rule[];
  parents: Rule[];
  /** List of events that alerted as this rule, when some rule names it in if_matched_sid. */
  sidPrevMatched: EventList | null;
  /** Lists of if_matched_group rules this rule feeds. */
  groupPrevMatched: EventList[];
  /** This rule's own list when it uses if_matched_group. */
  ownGroupList: EventList | null;
  timeIgnored: number;
  firedTimes: number;
  /** Children that may match, per (decoder name, program name): built lazily, bounded. */
  childIndex: Map<string, Rule[]> | null;
  /** Characters the event's log must start with for this rule to match (null: any). */
  logFirstChars: Set<string> | null;
  /** The program_name test alone, used to prefilter children per program name. */
  programNameTest: ((programName: string | null) => boolean) | null;
  /** Extra per-rule data owned by other modules (active-response binding). */
  ext: Record<string, unknown>;
}

const CATEGORIES = new Set(['firewall', 'ids', 'syslog', 'web-log', 'squid', 'windows', 'ossec', 'host-information']);

/** Field-test elements: element name → how to read the subject from the event. */
const FIELD_TESTS: Record<string, (ev: Event) => string | undefined> = {
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

const SAME_FIELDS: Record<string, string> = {
  same_source_ip: 'srcip',
  same_srcip: 'srcip',
  same_srcport: 'srcport',
  same_src_port: 'srcport',
  same_dstport: 'dstport',
  same_dst_port: 'dstport',
  same_dstip: 'dstip',
  same_user: 'dstuser',
  same_srcuser: 'srcuser',
  same_id: 'id',
  same_location: 'location',
  same_protocol: 'proto',
  same_action: 'action',
  same_url: 'url',
  same_data: 'extra_data',
  same_extra_data: 'extra_data',
  same_status: 'status',
  same_system_name: 'system_name',
  same_srcgeoip: 'srcgeoip',
  same_dstgeoip: 'dstgeoip',
};

const DIFFERENT_FIELDS: Record<string, string> = {
  different_url: 'url',
  different_srcip: 'srcip',
  different_srcgeoip: 'srcgeoip',
  different_dstgeoip: 'dstgeoip',
  not_same_source_ip: 'srcip',
  not_same_srcip: 'srcip',
  not_same_user: 'dstuser',
  not_same_srcuser: 'srcuser',
  not_same_id: 'id',
  not_same_agent: 'agent',
  different_id: 'id',
  different_user: 'dstuser',
  different_srcuser: 'srcuser',
  different_location: 'location',
  different_protocol: 'proto',
  different_action: 'action',
  different_data: 'extra_data',
  different_extra_data: 'extra_data',
  different_status: 'status',
  different_system_name: 'system_name',
  different_dstip: 'dstip',
  different_srcport: 'srcport',
  different_dstport: 'dstport',
};

const IGNORED_ELEMENTS = new Set(['cve', 'var', 'email_to', 'mitre', 'global_frequency']);

/** Parses one <rule>. `groupName` is the enclosing group's name attribute. */
export function parseRule(el: XmlElement, groupName: string, vars: Map<string, string>, dialect: Dialect, defaultTimeframe: number, ctx: RuleParseContext): Rule {
  const id = intAttr(el, 'id', 0, 999999, vars);
  if (id === null) throw err(el, 'MISSING_ELEMENT', '<rule> needs an id attribute');
  const level = intAttr(el, 'level', 0, 16, vars);
  if (level === null) throw err(el, 'MISSING_ELEMENT', `rule ${id} needs a level attribute`);
  const rule: Rule = {
    id,
    level,
    file: el.file,
    line: el.line,
    column: el.column,
    sourceText: '',
    disabled: false,
    frequency: intAttr(el, 'frequency', 0, 9999, vars),
    timeframe: intAttr(el, 'timeframe', 0, 99999999, vars) ?? defaultTimeframe,
    ignoreSeconds: intAttr(el, 'ignore', 0, 99999999, vars) ?? 0,
    noalert: attrCI(el, 'noalert') !== undefined,
    accuracyZero: attrCI(el, 'accuracy')?.value.trim() === '0',
    maxsize: intAttr(el, 'maxsize', 0, 99999999, vars) ?? 0,
    overwrite: attrCI(el, 'overwrite')?.value.trim().toLowerCase() === 'yes',
    category: null,
    decodedAs: null,
    ifSid: [],
    ifGroup: null,
    ifLevel: null,
    ifMatchedSid: null,
    ifMatchedGroup: null,
    ifMatchedRegex: null,
    tests: [],
    sameFields: [],
    differentFields: [],
    globalFrequency: false,
    groups: groupName,
    groupList: [],
    description: '',
    info: [],
    options: new Set(),
    ignoreFields: null,
    checkIfIgnored: null,
    ifFts: false,
    mitre: [],
    children: [],
    parents: [],
    sidPrevMatched: null,
    groupPrevMatched: [],
    ownGroupList: null,
    timeIgnored: 0,
    firedTimes: 0,
    childIndex: null,
    programNameTest: null,
    logFirstChars: null,
    ext: {},
  };

  const concat = new Map<string, Concat>();
  const add = (key: string, child: XmlElement, text: string) => {
    const c = concat.get(key);
    if (c) {
      c.text += text;
      c.last = child;
    } else concat.set(key, { text, first: child, last: child });
  };
  const srcip: { entries: IpEntry[]; negate: boolean; el: XmlElement | null } = { entries: [], negate: false, el: null };
  const dstip: { entries: IpEntry[]; negate: boolean; el: XmlElement | null } = { entries: [], negate: false, el: null };
  const fields: { name: string; pattern: Pattern }[] = [];
  const listTests: EventTest[] = [];
  let timeTest: EventTest | null = null;
  let weekdayTest: EventTest | null = null;
  let ifSidText = '';

  const childErrors: RulesetError[] = [];
  for (const child of el.children) {
    try {
      const tag = child.name.toLowerCase();
      const text = substitute(child.text, vars, child);
      if (tag in SAME_FIELDS) {
        rule.sameFields.push(SAME_FIELDS[tag]!);
        continue;
      }
      if (tag in DIFFERENT_FIELDS) {
        rule.differentFields.push(DIFFERENT_FIELDS[tag]!);
        continue;
      }
      if (tag === 'same_field' || tag === 'not_same_field' || tag === 'different_field') {
        (tag === 'same_field' ? rule.sameFields : rule.differentFields).push(`dyn:${text.trim()}`);
        continue;
      }
      switch (tag) {
        case 'description':
          rule.description += text;
          break;
        case 'group':
          rule.groups += text;
          break;
        case 'info':
          rule.info.push({ type: attrCI(child, 'type')?.value ?? 'text', value: text });
          break;
        case 'options':
          for (const o of text.split(',')) if (o.trim()) rule.options.add(o.trim());
          break;
        case 'category': {
          const c = text.trim().toLowerCase();
          if (!CATEGORIES.has(c)) throw err(child, 'BAD_VALUE', `unknown category "${text.trim()}"`);
          rule.category = c;
          break;
        }
        case 'decoded_as':
          rule.decodedAs = text.trim();
          break;
        case 'if_sid':
          ifSidText += text;
          break;
        case 'if_group':
          rule.ifGroup = (rule.ifGroup ?? '') + text;
          break;
        case 'if_level': {
          const n = Number(text.trim());
          if (!Number.isInteger(n) || n < 0 || n > 16) throw err(child, 'BAD_VALUE', `<if_level> "${text}" is not a level (0..16)`);
          rule.ifLevel = n;
          break;
        }
        case 'if_matched_sid': {
          const n = Number(text.trim());
          if (!/^\d+$/.test(text.trim())) throw err(child, 'BAD_VALUE', `<if_matched_sid> "${text}" is not a rule id`);
          rule.ifMatchedSid = n;
          break;
        }
        case 'if_matched_group':
          rule.ifMatchedGroup = (rule.ifMatchedGroup ?? '') + text;
          break;
        case 'if_matched_regex':
          rule.ifMatchedRegex = compileElementPattern(child, text, () => compileOsRegex(text, { dialect }));
          break;
        case 'if_fts':
          rule.ifFts = true;
          break;
        case 'global_frequency':
          rule.globalFrequency = true;
          break;
        case 'srcip':
        case 'dstip': {
          const target = tag === 'srcip' ? srcip : dstip;
          try {
            for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) target.entries.push(parseIpEntry(part));
          } catch (e) {
            if (e instanceof IpListError) throw err(child, 'BAD_VALUE', `<${tag}>: ${e.message}`);
            throw e;
          }
          target.negate = dialect === 'wazuh' && attrCI(child, 'negate')?.value.toLowerCase() === 'yes';
          target.el = child;
          break;
        }
        case 'field': {
          const name = attrCI(child, 'name')?.value;
          if (!name) throw err(child, 'MISSING_ELEMENT', '<field> needs a name attribute');
          const negate = dialect === 'wazuh' && attrCI(child, 'negate')?.value.toLowerCase() === 'yes';
          const type = dialect === 'wazuh' ? (attrCI(child, 'type')?.value.toLowerCase() ?? 'osregex') : 'osregex';
          fields.push({ name, pattern: compileTyped(child, text, type, dialect, negate, false) });
          break;
        }
        case 'time':
          timeTest = parseTime(child, text);
          break;
        case 'weekday':
          weekdayTest = parseWeekday(child, text);
          break;
        case 'ignore':
          rule.ignoreFields = text.split(',').map((s) => s.trim()).filter(Boolean);
          break;
        case 'check_if_ignored':
          rule.checkIfIgnored = text.split(',').map((s) => s.trim()).filter(Boolean);
          break;
        case 'list':
          listTests.push(listTest(child, text, ctx, dialect));
          break;
        case 'compiled_rule':
          // OSSEC's compiled rules are C functions; without them the rule cannot match.
          ctx.warn(child, `compiled rule "${text.trim()}" is not available; rule ${id} can never match`);
          listTests.push(() => false);
          break;
        case 'check_diff':
          listTests.push(() => false); // needs syscheck's previous output, which a log engine never has
          break;
        case 'match':
        case 'regex':
        case 'pcre2':
        case 'match_pcre2':
          add(tag, child, text);
          break;
        default:
          if (tag in FIELD_TESTS) {
            add(tag, child, text);
            break;
          }
          if (tag.endsWith('_pcre2') && tag.slice(0, -6) in FIELD_TESTS) {
            add(tag, child, text);
            break;
          }
          if (tag === 'mitre') {
            for (const m of child.children) rule.mitre.push(m.text.trim());
            break;
          }
          if (IGNORED_ELEMENTS.has(tag)) break;
          throw err(child, 'UNKNOWN_ELEMENT', `unknown element <${child.name}> in rule ${id}`);
      }
    } catch (e) {
      if (!(e instanceof RulesetError)) throw e;
      childErrors.push(e); // keep going: report every bad element of the rule at once
    }
  }

  if (childErrors.length > 0) throw new RulesetLoadError(childErrors);
  if (ifSidText.trim() !== '') {
    for (const part of ifSidText.split(/[,\s]+/).filter(Boolean)) {
      if (!/^\d+$/.test(part)) throw err(el, 'BAD_VALUE', `rule ${id}: <if_sid> item "${part}" is not a rule id`);
      rule.ifSid.push(Number(part));
    }
  }
  rule.description = rule.description.replace('\n', ' ');
  rule.groupList = rule.groups.split(',').map((s) => s.trim()).filter(Boolean);

  // Tests, cheapest first (all must pass, so order does not change the result).
  const t = rule.tests;
  if (rule.decodedAs !== null) {
    const name = rule.decodedAs;
    t.push((ev) => ev.decoder !== null && ev.decoder.name === name);
  }
  if (rule.maxsize > 0) {
    const max = rule.maxsize;
    // OSSEC compares strlen(), i.e. bytes.
    t.push((ev) => ev.log.length >= max || Buffer.byteLength(ev.log) >= max);
  }
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
    if (pcre2.text === '') throw err(pcre2.first, 'BAD_REGEX', 'empty <pcre2> pattern');
    const p = compileTyped(pcre2.first, pcre2.text, 'pcre2', dialect, false, true);
    rule.logFirstChars ??= p.firstChars();
    t.push(logTest(p));
  }
  for (const f of fields) {
    const { name, pattern } = f;
    t.push((ev) => {
      const v = ev.getField(name);
      return v !== undefined && pattern.test(v);
    });
  }
  for (const [key, list] of [['srcip', srcip], ['dstip', dstip]] as const) {
    if (list.entries.length === 0) continue;
    const entries = list.entries;
    const negate = list.negate;
    t.push((ev) => {
      const v = ev[key];
      return v !== undefined && ipListMatches(entries, v) !== negate;
    });
  }
  t.push(...listTests);
  if (timeTest) t.push(timeTest);
  if (weekdayTest) t.push(weekdayTest);

  if ((rule.sameFields.length > 0 || rule.differentFields.length > 0 || rule.frequency !== null) &&
      rule.ifMatchedSid === null && rule.ifMatchedGroup === null && rule.ifMatchedRegex === null)
    throw err(el, 'MISSING_ELEMENT', `rule ${id} uses frequency or same_/different_ options without if_matched_sid, if_matched_group or if_matched_regex`);
  if (rule.ifMatchedSid !== null && rule.ifSid.length === 0 && rule.ifGroup === null) rule.ifSid.push(rule.ifMatchedSid);
  if (rule.ifMatchedGroup !== null && rule.ifSid.length === 0 && rule.ifGroup === null) rule.ifGroup = rule.ifMatchedGroup;
  return rule;
}

function compileTyped(el: XmlElement, text: string, type: string, dialect: Dialect, negate: boolean, pcreCaseless: boolean): Pattern {
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

