// How each compiled pattern and rule test was made, as plain data: a compile builds every pattern
// and test through `makePattern` / `makeTest`, which remember the recipe beside the object, so a
// compiled ruleset can be written out (ruleset-snapshot.ts) and rebuilt by the very same builders
// without parsing XML or analysing regexes again. One builder per kind: a fresh compile and a
// restored snapshot cannot differ.
import type { Event } from './event.js';
import { ipListMatches, parseIpEntry } from './ip-list.js';
import { LazyPattern } from './regex/lazy-pattern.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { compileOsMatch, compileOsRegex, compilePcre2, compileString, onLinearEngine } from './regex/pattern.js';
import type { EventTest, RuleParseContext } from './rule-tests.js';
import { listTest, logTest, parseTime, parseWeekday } from './rule-tests.js';
import type { Rule } from './rules.js';
import type { XmlAttr, XmlElement } from './xml.js';

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

export type PatternRecipe =
  | { f: 'osregex' | 'osmatch'; p: string; d: Dialect; n: boolean }
  | { f: 'pcre2'; p: string; d: Dialect; c: boolean; n: boolean }
  | { f: 'string'; p: string; n: boolean };

/** An element as a list, time or weekday test reads it (its children are never read). */
export interface ElementRecipe {
  name: string;
  attrs: [string, XmlAttr][];
  text: string;
  file: string;
  line: number;
  column: number;
}

export type TestRecipe =
  | { k: 'decoder'; name: string }
  | { k: 'maxsize'; max: number }
  | { k: 'field'; key: string; pattern: PatternRecipe }
  | { k: 'log'; pattern: PatternRecipe }
  | { k: 'dynamic'; name: string; pattern: PatternRecipe }
  | { k: 'ip'; key: 'srcip' | 'dstip'; entries: string[]; negate: boolean }
  | { k: 'list'; el: ElementRecipe; text: string }
  | { k: 'time'; el: ElementRecipe; text: string }
  | { k: 'weekday'; el: ElementRecipe; text: string }
  | { k: 'never' };

/**
 * A pattern as a ruleset snapshot holds it: its recipe, what its requiredChars() gives (`q`) and
 * `l: true` when it runs on RE2 (a snapshot with such patterns is restored only where RE2 is found).
 */
export type PatternSnap = PatternRecipe & { q: number[][] | null; l?: true };

/** A test as a ruleset snapshot holds it: its recipe, with its pattern as a PatternSnap. */
export type TestSnap = Exclude<TestRecipe, { pattern: PatternRecipe }> | (Extract<TestRecipe, { pattern: PatternRecipe }> & { pattern: PatternSnap });

const patternRecipes = new WeakMap<Pattern, PatternRecipe>();
const testRecipes = new WeakMap<EventTest, TestRecipe>();
/** The pattern of each pattern test (field, log, dynamic). */
const testPatterns = new WeakMap<EventTest, Pattern>();

/** Compiles a pattern (throws PatternError as the compile functions do) and remembers how. */
export function makePattern(r: PatternRecipe): Pattern {
  let p: Pattern;
  switch (r.f) {
    case 'osregex':
      p = compileOsRegex(r.p, { dialect: r.d, negate: r.n });
      break;
    case 'osmatch':
      p = compileOsMatch(r.p, { dialect: r.d, negate: r.n });
      break;
    case 'pcre2':
      p = compilePcre2(r.p, { dialect: r.d, caseless: r.c, negate: r.n });
      break;
    case 'string':
      p = compileString(r.p, r.n);
      break;
  }
  patternRecipes.set(p, r);
  return p;
}

export function patternRecipe(p: Pattern): PatternRecipe | undefined {
  return patternRecipes.get(p);
}

export function testRecipe(t: EventTest): TestRecipe | undefined {
  return testRecipes.get(t);
}

/** `p` as a snapshot holds it, or undefined when it was not made by makePattern or restorePattern. */
export function patternSnap(p: Pattern): PatternSnap | undefined {
  const r = patternRecipes.get(p);
  if (r === undefined) return undefined;
  const q = p.requiredChars()?.map((m) => [...m]) ?? null;
  const linear = p instanceof LazyPattern ? p.linear : onLinearEngine(p);
  return linear ? { ...r, q, l: true } : { ...r, q };
}

/** `t` as a snapshot holds it, or undefined when it was not made by makeTest. */
export function testSnap(t: EventTest): TestSnap | undefined {
  const r = testRecipes.get(t);
  if (r === undefined || !('pattern' in r)) return r;
  const pattern = patternSnap(testPatterns.get(t)!);
  return pattern && { ...r, pattern };
}

/**
 * The pattern of a snapshot, compiled on first use (LazyPattern). Only for a snapshot of a ruleset
 * that compiled, restored where the same RE2 is found: a pattern that cannot compile would throw at
 * its first use.
 */
export function restorePattern(s: PatternSnap): Pattern {
  const { q, l, ...r } = s;
  const p = new LazyPattern(r.p, r.f, q, () => makePattern(r as PatternRecipe), l === true);
  patternRecipes.set(p, r as PatternRecipe);
  return p;
}

// A restored snapshot builds a rule's tests when the rule is first visited (ruleset-snapshot.ts):
// a replay reaches a small part of a big ruleset, and building every test was a third of a start.
// Until then `rule.tests` holds PENDING, whose one test throws, so that a reader that forgot to go
// through ruleTests fails loudly instead of seeing a rule without tests.
const pendingTests = new WeakMap<Rule, () => EventTest[]>();
const PENDING: EventTest[] = [
  () => {
    throw new Error('a rule of a restored snapshot was tested before its tests were built (read them through ruleTests)');
  },
];

/** Leaves `rule`'s tests to `build`, run on the first ruleTests(rule). */
export function deferTests(rule: Rule, build: () => EventTest[]): void {
  pendingTests.set(rule, build);
  rule.tests = PENDING;
}

/**
 * `rule.tests`, built first when a restored snapshot left them for the first use (building them
 * may also set `rule.programNameTest`). Whoever reads a rule's tests reads them through this.
 */
export function ruleTests(rule: Rule): EventTest[] {
  const build = pendingTests.get(rule);
  if (build !== undefined) {
    pendingTests.delete(rule);
    rule.tests = build();
  }
  return rule.tests;
}

/** The test of a snapshot (see makeTest), its pattern restored by restorePattern. */
export function restoreTest(rule: Rule, s: TestSnap, ctx: RuleParseContext, dialect: Dialect): EventTest {
  if (!('pattern' in s)) return makeTest(rule, s, ctx, dialect);
  const p = restorePattern(s.pattern);
  return makeTest(rule, { ...s, pattern: patternRecipes.get(p)! }, ctx, dialect, p);
}

export function elementRecipe(el: XmlElement): ElementRecipe {
  return { name: el.name, attrs: [...el.attrs], text: el.text, file: el.file, line: el.line, column: el.column };
}

function element(r: ElementRecipe): XmlElement {
  return { name: r.name, attrs: new Map(r.attrs), children: [], text: r.text, file: r.file, line: r.line, column: r.column };
}

/**
 * Builds one test of `rule` (a field test on program_name also sets `rule.programNameTest`).
 * `pattern` is the already compiled pattern of a pattern test, when the caller has it.
 */
export function makeTest(rule: Rule, r: TestRecipe, ctx: RuleParseContext, dialect: Dialect, pattern?: Pattern): EventTest {
  if ('pattern' in r) pattern ??= makePattern(r.pattern);
  const t = build(rule, r, ctx, dialect, pattern);
  testRecipes.set(t, r);
  if (pattern) testPatterns.set(t, pattern);
  return t;
}

function build(rule: Rule, r: TestRecipe, ctx: RuleParseContext, dialect: Dialect, compiled?: Pattern): EventTest {
  switch (r.k) {
    case 'decoder': {
      const name = r.name;
      return (ev) => ev.decoder !== null && ev.decoder.name === name;
    }
    case 'maxsize': {
      const max = r.max;
      // OSSEC compares strlen(), i.e. bytes.
      return (ev) => ev.log.length >= max || Buffer.byteLength(ev.log) >= max;
    }
    case 'field': {
      const pat = compiled ?? makePattern(r.pattern);
      const get = FIELD_TESTS[r.key]!;
      if (r.key === 'program_name') rule.programNameTest = (name) => name !== null && pat.test(name);
      return (ev) => {
        const v = get(ev);
        return v !== undefined && pat.test(v);
      };
    }
    case 'log':
      return logTest(compiled ?? makePattern(r.pattern));
    case 'dynamic': {
      const { name } = r;
      const pattern = compiled ?? makePattern(r.pattern);
      return (ev) => {
        const v = ev.getField(name);
        return v !== undefined && pattern.test(v);
      };
    }
    case 'ip': {
      const { key, negate } = r;
      const entries = r.entries.map((e) => parseIpEntry(e));
      return (ev) => {
        const v = ev[key];
        return v !== undefined && ipListMatches(entries, v) !== negate;
      };
    }
    case 'list':
      return listTest(element(r.el), r.text, ctx, dialect);
    case 'time':
      return parseTime(element(r.el), r.text);
    case 'weekday':
      return parseWeekday(element(r.el), r.text);
    case 'never':
      return () => false;
  }
}
