// Rules: parsing `<group><rule>` XML into Rule objects with compiled tests (spec §5.1, §11.1).
// Tree placement and evaluation live in rule-tree.ts and evaluate.ts.
import { compileElementPattern } from './decoders.js';
import { RulesetError, RulesetLoadError } from './errors.js';
import { IpListError, parseIpEntry } from './ip-list.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import type { RecordList } from './record-list.js';
import type { EventTest, Lists, RuleParseContext } from './rule-tests.js';
import type { Concat } from './rule-patterns.js';
import type { TestRecipe } from './rule-recipes.js';
import { elementRecipe, makePattern, makeTest, patternRecipe } from './rule-recipes.js';
import { FIELD_TESTS, compilePatternTests, compileTyped } from './rule-patterns.js';
import { DIFFERENT_FIELDS, SAME_FIELDS } from './correlation-fields.js';
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
  sidPrevMatched: RecordList | null;
  /** Lists of if_matched_group rules this rule feeds. */
  groupPrevMatched: RecordList[];
  /** This rule's own list when it uses if_matched_group. */
  ownGroupList: RecordList | null;
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



const IGNORED_ELEMENTS = new Set(['cve', 'var', 'email_to', 'mitre', 'global_frequency']);

/**
 * A rule with every field at its default, in the one property order every Rule has (a compile and
 * a restored snapshot give the evaluator objects of the same shape).
 */
export function blankRule(): Rule {
  return {
    id: 0,
    level: 0,
    file: '',
    line: 0,
    column: 0,
    sourceText: '',
    disabled: false,
    frequency: null,
    timeframe: 0,
    ignoreSeconds: 0,
    noalert: false,
    accuracyZero: false,
    maxsize: 0,
    overwrite: false,
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
    groups: '',
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
}

/** Parses one <rule>. `groupName` is the enclosing group's name attribute. */
export function parseRule(el: XmlElement, groupName: string, vars: Map<string, string>, dialect: Dialect, defaultTimeframe: number, ctx: RuleParseContext): Rule {
  const id = intAttr(el, 'id', 0, 999999, vars);
  if (id === null) throw err(el, 'MISSING_ELEMENT', '<rule> needs an id attribute');
  const level = intAttr(el, 'level', 0, 16, vars);
  if (level === null) throw err(el, 'MISSING_ELEMENT', `rule ${id} needs a level attribute`);
  const rule = blankRule();
  rule.id = id;
  rule.level = level;
  rule.file = el.file;
  rule.line = el.line;
  rule.column = el.column;
  rule.frequency = intAttr(el, 'frequency', 0, 9999, vars);
  rule.timeframe = intAttr(el, 'timeframe', 0, 99999999, vars) ?? defaultTimeframe;
  rule.ignoreSeconds = intAttr(el, 'ignore', 0, 99999999, vars) ?? 0;
  rule.noalert = attrCI(el, 'noalert') !== undefined;
  rule.accuracyZero = attrCI(el, 'accuracy')?.value.trim() === '0';
  rule.maxsize = intAttr(el, 'maxsize', 0, 99999999, vars) ?? 0;
  rule.overwrite = attrCI(el, 'overwrite')?.value.trim().toLowerCase() === 'yes';
  rule.groups = groupName;

  const concat = new Map<string, Concat>();
  const add = (key: string, child: XmlElement, text: string) => {
    const c = concat.get(key);
    if (c) {
      c.text += text;
      c.last = child;
    } else concat.set(key, { text, first: child, last: child });
  };
  const srcip: { entries: string[]; negate: boolean } = { entries: [], negate: false };
  const dstip: { entries: string[]; negate: boolean } = { entries: [], negate: false };
  const fields: { name: string; pattern: Pattern }[] = [];
  const listTests: EventTest[] = [];
  let timeTest: EventTest | null = null;
  let weekdayTest: EventTest | null = null;
  const test = (r: TestRecipe, pattern?: Pattern): EventTest => makeTest(rule, r, ctx, dialect, pattern);
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
          rule.ifMatchedRegex = compileElementPattern(child, text, () => makePattern({ f: 'osregex', p: text, d: dialect, n: false }));
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
            for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
              parseIpEntry(part); // checked here, for the error's place; the test parses its entries again
              target.entries.push(part);
            }
          } catch (e) {
            if (e instanceof IpListError) throw err(child, 'BAD_VALUE', `<${tag}>: ${e.message}`);
            throw e;
          }
          target.negate = dialect === 'wazuh' && attrCI(child, 'negate')?.value.toLowerCase() === 'yes';
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
          timeTest = test({ k: 'time', el: elementRecipe(child), text });
          break;
        case 'weekday':
          weekdayTest = test({ k: 'weekday', el: elementRecipe(child), text });
          break;
        case 'ignore':
          rule.ignoreFields = text.split(',').map((s) => s.trim()).filter(Boolean);
          break;
        case 'check_if_ignored':
          rule.checkIfIgnored = text.split(',').map((s) => s.trim()).filter(Boolean);
          break;
        case 'list':
          listTests.push(test({ k: 'list', el: elementRecipe(child), text }));
          break;
        case 'compiled_rule':
          // OSSEC's compiled rules are C functions; without them the rule cannot match.
          ctx.warn(child, `compiled rule "${text.trim()}" is not available; rule ${id} can never match`);
          listTests.push(test({ k: 'never' }));
          break;
        case 'check_diff':
          listTests.push(test({ k: 'never' })); // needs syscheck's previous output, which a log engine never has
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
  if (rule.decodedAs !== null) t.push(test({ k: 'decoder', name: rule.decodedAs }));
  if (rule.maxsize > 0) t.push(test({ k: 'maxsize', max: rule.maxsize }));
  compilePatternTests(rule, concat, dialect, ctx);
  for (const { name, pattern } of fields) t.push(test({ k: 'dynamic', name, pattern: patternRecipe(pattern)! }, pattern));
  for (const [key, list] of [['srcip', srcip], ['dstip', dstip]] as const) {
    if (list.entries.length === 0) continue;
    t.push(test({ k: 'ip', key, entries: list.entries, negate: list.negate }));
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


