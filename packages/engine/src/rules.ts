// Rules: parsing `<group><rule>` XML into Rule objects with compiled tests (spec §5.1, §11.1).
// Tree placement and evaluation live in rule-tree.ts and evaluate.ts.
import { compileElementPattern } from './decoders.js';
import { RulesetError, RulesetLoadError } from './errors.js';
import type { Event } from './event.js';
import type { IpEntry } from './ip-list.js';
import { IpListError, ipListMatches, parseIpEntry } from './ip-list.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { compileOsMatch, compileOsRegex, compilePcre2, compileString } from './regex/pattern.js';

/** A test of `log` by pattern, skipped cheaply when the log lacks the characters every alternative needs. */
function logTest(p: Pattern): EventTest {
  const masks = p.requiredChars();
  if (masks === null) return (ev) => p.test(ev.log);
  const flat = new Int32Array(masks.length * 4);
  masks.forEach((m, i) => flat.set(m, i * 4));
  return (ev) => {
    if (!ev.maskReady) ev.computeMask();
    const m0 = ev.mask0;
    const m1 = ev.mask1;
    const m2 = ev.mask2;
    const m3 = ev.mask3;
    for (let i = 0; i < flat.length; i += 4) {
      if ((flat[i]! & ~m0) === 0 && (flat[i + 1]! & ~m1) === 0 && (flat[i + 2]! & ~m2) === 0 && (flat[i + 3]! & ~m3) === 0)
        return p.test(ev.log);
    }
    return false;
  };
}
import { substitute } from './variables.js';
import type { XmlElement } from './xml.js';
import { attrCI } from './xml.js';

export type EventTest = (ev: Event) => boolean;

/** A list of earlier alerted events searched by correlation rules (newest last). */
export class EventList {
  items: Event[] = [];
  /**
   * Per-source-IP view of `items`, kept when a reader filters with same_source_ip under the Wazuh
   * dialect (where that filter runs before the `matched` check, so skipping other IPs changes
   * nothing): a search then walks one attacker's events instead of everyone's.
   */
  bySrcip: Map<string, Event[]> | null = null;
  constructor(readonly cap: number) {}

  push(ev: Event): void {
    this.items.push(ev);
    if (this.bySrcip !== null && ev.srcip !== undefined) {
      const l = this.bySrcip.get(ev.srcip);
      if (l) l.push(ev);
      else this.bySrcip.set(ev.srcip, [ev]);
    }
    if (this.items.length > this.cap) this.unindex(this.items.shift()!);
  }

  remove(ev: Event): void {
    // Evictions remove the oldest event, so it is nearly always first: shift() is O(1) in V8.
    if (this.items[0] === ev) this.items.shift();
    else {
      const i = this.items.indexOf(ev);
      if (i < 0) return;
      this.items.splice(i, 1);
    }
    this.unindex(ev);
  }

  /** Drops the oldest entry (OSSEC's group-list eviction). */
  removeOldest(): void {
    const ev = this.items.shift();
    if (ev) this.unindex(ev);
  }

  clear(): void {
    this.items = [];
    if (this.bySrcip !== null) this.bySrcip = new Map();
  }

  /** Takes over another list's contents (hot reload keeps correlation state). */
  adopt(other: EventList): void {
    this.items = other.items;
    if (this.bySrcip !== null) {
      this.bySrcip = new Map();
      for (const ev of this.items) if (ev.srcip !== undefined) {
        const l = this.bySrcip.get(ev.srcip);
        if (l) l.push(ev);
        else this.bySrcip.set(ev.srcip, [ev]);
      }
    }
  }

  private unindex(ev: Event): void {
    if (this.bySrcip === null || ev.srcip === undefined) return;
    const l = this.bySrcip.get(ev.srcip);
    if (!l) return;
    if (l[0] === ev) l.shift();
    else {
      const i = l.indexOf(ev);
      if (i >= 0) l.splice(i, 1);
    }
    if (l.length === 0) this.bySrcip.delete(ev.srcip);
  }
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

/** CDB-style lists (`key:value` per line), keyed by the path as the config and rules write it. */
export type Lists = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface RuleParseContext {
  lists: Lists;
  /** Non-fatal findings (a list not provided, a compiled rule we cannot run). */
  warn: (el: XmlElement, msg: string) => void;
}

function findList(lists: Lists, path: string): ReadonlyMap<string, string> | undefined {
  const direct = lists.get(path);
  if (direct) return direct;
  const base = path.split('/').pop()!.replace(/\.cdb$/, '');
  for (const [k, v] of lists) if (k.split('/').pop()!.replace(/\.cdb$/, '') === base) return v;
  return undefined;
}

/** <list field lookup check_value> (spec §5.6). */
function listTest(child: XmlElement, path: string, ctx: RuleParseContext, dialect: Dialect): EventTest {
  const field = attrCI(child, 'field')?.value ?? '';
  const lookup = attrCI(child, 'lookup')?.value ?? 'match_key';
  const checkValue = attrCI(child, 'check_value')?.value;
  const list = findList(ctx.lists, path.trim());
  if (!list) {
    ctx.warn(child, `list "${path.trim()}" was not provided; this rule can never match`);
    return () => false;
  }
  const valuePattern = checkValue !== undefined ? compileOsMatch(checkValue, { dialect }) : null;
  const get = (ev: Event): string | undefined => (field === 'user' ? (ev.srcuser ?? ev.dstuser) : ev.getField(field));
  const addressKeys = (ip: string): string[] => {
    const keys = [ip];
    for (let i = ip.lastIndexOf('.'); i > 0; i = ip.lastIndexOf('.', i - 1)) keys.push(ip.slice(0, i + 1));
    return keys;
  };
  switch (lookup) {
    case 'match_key':
      return (ev) => { const v = get(ev); return v !== undefined && list.has(v); };
    case 'not_match_key':
      return (ev) => { const v = get(ev); return v !== undefined && !list.has(v); };
    case 'match_key_value':
      return (ev) => {
        const v = get(ev);
        const val = v === undefined ? undefined : list.get(v);
        return val !== undefined && (valuePattern === null || valuePattern.test(val));
      };
    case 'address_match_key':
      return (ev) => { const v = get(ev); return v !== undefined && addressKeys(v).some((k) => list.has(k)); };
    case 'not_address_match_key':
      return (ev) => { const v = get(ev); return v !== undefined && !addressKeys(v).some((k) => list.has(k)); };
    case 'address_match_key_value':
      return (ev) => {
        const v = get(ev);
        if (v === undefined) return false;
        const k = addressKeys(v).find((x) => list.has(x));
        return k !== undefined && (valuePattern === null || valuePattern.test(list.get(k)!));
      };
    default:
      throw err(child, 'BAD_VALUE', `<list lookup="${lookup}"> is not a lookup (match_key, not_match_key, match_key_value, address_match_key, not_address_match_key, address_match_key_value)`);
  }
}

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

function parseClock(s: string): number | null {
  const m = /^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$/i.exec(s);
  if (!m) return null;
  let h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  const ampm = m[3]?.toLowerCase();
  if (ampm === 'pm' && h < 12) h += 12;
  if (ampm === 'am' && h === 12) h = 0;
  if (h > 24 || min > 59) return null;
  return h * 60 + min;
}

function parseTime(el: XmlElement, text: string): EventTest {
  let t = text.trim();
  let negate = false;
  if (t.startsWith('!')) {
    negate = true;
    t = t.slice(1);
  }
  const [a, b] = t.split('-');
  const from = a === undefined ? null : parseClock(a);
  const to = b === undefined ? null : parseClock(b);
  if (from === null || to === null) throw err(el, 'BAD_VALUE', `<time> "${text}" is not "hh[:mm][am|pm] - hh[:mm][am|pm]"`);
  // As OSSEC's OS_IsonTime: a range includes its end minute; a reversed range (over midnight)
  // excludes both ends and ignores a leading `!`.
  return (ev) => {
    const d = new Date(ev.time * 1000);
    const now = d.getHours() * 60 + d.getMinutes();
    if (from > to) return now > from || now < to;
    return (now >= from && now <= to) !== negate;
  };
}

const DAYS: Record<string, number[]> = {
  sunday: [0], sun: [0], monday: [1], mon: [1], tuesday: [2], tue: [2], wednesday: [3], wed: [3],
  thursday: [4], thu: [4], friday: [5], fri: [5], saturday: [6], sat: [6],
  weekdays: [1, 2, 3, 4, 5], weekends: [0, 6],
};

function parseWeekday(el: XmlElement, text: string): EventTest {
  let t = text.trim().toLowerCase();
  let negate = false;
  if (t.startsWith('!')) {
    negate = true;
    t = t.slice(1);
  }
  const days = new Set<number>();
  for (const w of t.split(/[\s,]+/).filter(Boolean)) {
    const d = DAYS[w];
    if (!d) throw err(el, 'BAD_VALUE', `<weekday>: "${w}" is not a day (monday … sunday, mon … sun, weekdays, weekends)`);
    for (const x of d) days.add(x);
  }
  return (ev) => days.has(new Date(ev.time * 1000).getDay()) !== negate;
}
