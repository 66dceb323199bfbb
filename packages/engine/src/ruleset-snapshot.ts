// A compiled ruleset as plain data (JSON) (ruleset-restore.ts turns it back): what lets a start-up skip the XML, the
// checks, the regex translation's safety analysis and the tree building when no rule file changed.
// The data holds each rule's and decoder's fields, their patterns and tests as recipes
// (rule-recipes.ts), tree links as indexes, the compile's warnings and the safety verdicts its
// patterns got. Rebuilding runs the same builders a compile runs, but leaves the patterns to be
// translated and compiled on first use (their prefilter masks are in the data), and each rule's
// tests to be built when the rule is first visited (ruleTests), as most of a big ruleset's are
// never reached by a given log: the tests are a text of their own after the rest, each rule's
// parsed only then. Which snapshot belongs to which
// files is the caller's business (key it by their content and this engine's code); a snapshot
// that does not fit this engine is refused with an Error, never half-restored.
import type { Decoder } from './decoders.js';
import { blankDecoder } from './decoders.js';
import type { CompiledRuleset, RulesetInput } from './engine.js';
import type { RulesetErrorCode } from './errors.js';
import type { RecordList } from './record-list.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import type { Recording } from './regex/safety.js';
import { linearEngineVersion } from './regex/pattern.js';
import type { PatternSnap } from './rule-recipes.js';
import { patternSnap, ruleTests, testSnap } from './rule-recipes.js';
import type { Rule } from './rules.js';
import { blankRule } from './rules.js';

/** Bumped whenever the data's layout changes. */
export const SNAPSHOT_FORMAT = 8;

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };
export type Fields = Record<string, Plain>;

export interface ListSnap {
  cap: number;
  bySrcip: boolean;
}

// In a RuleSnap or DecoderSnap, an entry that is null or an empty list is left out (withoutEmpty):
// most are, and each was bytes to parse and an object to collect.
export interface RuleSnap {
  fields: Fields;
  /** Where the rule's tests (a JSON TestSnap[]) lie in the tests text: [offset, length]. */
  tests?: [number, number];
  ifMatchedRegex?: PatternSnap;
  logFirstChars?: string[];
  options?: string[];
  children?: number[];
  parents?: number[];
  sidPrevMatched?: ListSnap;
  ownGroupList?: ListSnap;
  /** Owners (rule indexes) of the group lists this rule feeds. */
  groupPrevMatched?: number[];
  /**
   * The rule's file and source text, when its text is found at its line and column of one of the
   * input's rule files: [that file's index, offset, length]. `fields` then leaves both out (the
   * source texts were a quarter of the OSSEC home's snapshot).
   */
  src?: [number, number, number];
}

export interface DecoderSnap {
  fields: Fields;
  programName?: PatternSnap;
  prematch?: PatternSnap;
  regex?: PatternSnap;
  children?: number[];
  next?: number;
}

/** `o` without its entries that are null or empty lists (but logFirstChars: [] is no first character, not any). */
function withoutEmpty<T extends object>(o: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || (Array.isArray(v) && v.length === 0 && k !== 'logFirstChars')) continue;
    out[k] = v;
  }
  return out as T;
}

export interface Snapshot {
  format: number;
  dialect: Dialect;
  /** The version of RE2 that ran the patterns on it, when some did (`l` in a PatternSnap). */
  re2?: string;
  /** Where the safety verdicts (a JSON [string, boolean][]) lie in the tests text: [offset, length]. */
  verdicts: [number, number];
  decoders: DecoderSnap[];
  withProgram: number[];
  withoutProgram: number[];
  names: string[];
  rules: RuleSnap[];
  roots: number[];
  maxFrequency: number;
  warnings: { code: RulesetErrorCode; message: string; file: string; line: number; column: number }[];
}

const compileVerdicts = new WeakMap<CompiledRuleset, Recording | (() => Recording)>();

/** Called by compileRuleset: the safety verdicts and masks its patterns got, for the snapshot to carry. */
export function rememberVerdicts(rs: CompiledRuleset, recorded: Recording | (() => Recording)): void {
  compileVerdicts.set(rs, recorded);
}

class NotSnapshottable extends Error {}

function isPlain(v: unknown): v is Plain {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlain);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every(isPlain);
  return false;
}

/**
 * The fields of `obj` other than `special`, which must all be plain data; those equal to the blank
 * object's are left out (most are: the snapshot, and its parse, shrink by a third).
 */
function plainFields(obj: object, blank: Record<string, unknown>, special: Set<string>, what: string): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(obj)) {
    if (special.has(k)) continue;
    if (!isPlain(v)) throw new NotSnapshottable(`${what}: field ${k} is not plain data`);
    const b = blank[k];
    if (v === b || (typeof v === 'object' && v !== null && JSON.stringify(v) === JSON.stringify(b))) continue;
    out[k] = v;
  }
  return out;
}

function patternOf(p: Pattern | null, what: string): PatternSnap | null {
  if (p === null) return null;
  const r = patternSnap(p);
  if (!r) throw new NotSnapshottable(`${what}: a pattern was not made by makePattern`);
  return r;
}

function list(l: RecordList | null, what: string): ListSnap | null {
  if (l === null) return null;
  if (l.length > 0) throw new NotSnapshottable(`${what}: an event list is not empty`);
  return { cap: l.cap, bySrcip: l.bySrcip !== null };
}

const RULE_SPECIAL = new Set(['tests', 'ifMatchedRegex', 'logFirstChars', 'programNameTest', 'options', 'children', 'parents', 'sidPrevMatched', 'ownGroupList', 'groupPrevMatched', 'childIndex', 'ext']);
const RULE_SPECIAL_SRC = new Set([...RULE_SPECIAL, 'file', 'sourceText']);
const DECODER_SPECIAL = new Set(['programName', 'prematch', 'regex', 'children', 'next', 'refs']);

/** Where a rule's source text lies in `input`'s rule files (see RuleSnap.src), or undefined. */
function sourceLocator(input: RulesetInput | undefined): (r: Rule) => [number, number, number] | undefined {
  if (!input) return () => undefined;
  const byPath = new Map(input.rules.map((f, i) => [f.path, i]));
  const lineStarts = new Map<number, number[]>();
  return (r) => {
    const fi = byPath.get(r.file);
    if (fi === undefined || r.sourceText === '') return undefined;
    const text = input.rules[fi]!.text;
    let starts = lineStarts.get(fi);
    if (starts === undefined) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      lineStarts.set(fi, starts);
    }
    const line = starts[r.line - 1];
    if (line === undefined) return undefined;
    const at = line + r.column - 1;
    return text.startsWith(r.sourceText, at) ? [fi, at, r.sourceText.length] : undefined;
  };
}

/**
 * The ruleset as JSON, or null when it holds something a snapshot cannot carry (a test or pattern
 * not made by the recipe builders, state from use). Take it right after compileRuleset. Given the
 * `input` it was compiled from, the rules' source texts are written as places in it (restore then
 * needs the same input, as it always does).
 */
export function serializeRuleset(rs: CompiledRuleset, input?: RulesetInput): string | null {
  const remembered = compileVerdicts.get(rs);
  if (!remembered) return null;
  const verdicts = typeof remembered === 'function' ? remembered() : remembered;
  const locate = sourceLocator(input);
  let linear = false;
  const pattern = (p: Pattern | null, what: string): PatternSnap | null => {
    const r = patternOf(p, what);
    if (r?.l) linear = true;
    return r;
  };
  let testsText = '';
  try {
    const decIndex = new Map<Decoder, number>(rs.decoders.all.map((d, i) => [d, i]));
    const decIdx = (d: Decoder): number => {
      const i = decIndex.get(d);
      if (i === undefined) throw new NotSnapshottable(`decoder ${d.name} is linked but not in the set`);
      return i;
    };
    const blankD = blankDecoder() as unknown as Record<string, unknown>;
    const blankR = blankRule() as unknown as Record<string, unknown>;
    const decoders = rs.decoders.all.map((d): DecoderSnap => {
      if (d.refs !== null) throw new NotSnapshottable(`decoder ${d.name} was used`);
      return withoutEmpty({
        fields: plainFields(d, blankD, DECODER_SPECIAL, `decoder ${d.name}`),
        programName: pattern(d.programName, `decoder ${d.name}`),
        prematch: pattern(d.prematch, `decoder ${d.name}`),
        regex: pattern(d.regex, `decoder ${d.name}`),
        children: d.children.map(decIdx),
        next: d.next === null ? null : decIdx(d.next),
      });
    });
    const all = rs.tree.all;
    const ruleIndex = new Map<Rule, number>(all.map((r, i) => [r, i]));
    const idx = (r: Rule): number => {
      const i = ruleIndex.get(r);
      if (i === undefined) throw new NotSnapshottable(`rule ${r.id} is linked but not in the tree`);
      return i;
    };
    const listOwner = new Map<RecordList, number>();
    all.forEach((r, i) => {
      if (r.ownGroupList) listOwner.set(r.ownGroupList, i);
    });
    const rules = all.map((r): RuleSnap => {
      const what = `rule ${r.id}`;
      if (r.childIndex !== null || Object.keys(r.ext).length > 0) throw new NotSnapshottable(`${what} was used`);
      const src = locate(r);
      const tests = ruleTests(r).map((t) => {
        const recipe = testSnap(t);
        if (!recipe) throw new NotSnapshottable(`${what}: a test was not made by makeTest`);
        if ('pattern' in recipe && recipe.pattern.l) linear = true;
        return recipe;
      });
      let testsAt: [number, number] | null = null;
      if (tests.length > 0) {
        const text = JSON.stringify(tests);
        testsAt = [testsText.length, text.length];
        testsText += text;
      }
      return withoutEmpty({
        fields: plainFields(r, blankR, src ? RULE_SPECIAL_SRC : RULE_SPECIAL, what),
        tests: testsAt,
        ifMatchedRegex: pattern(r.ifMatchedRegex, what),
        logFirstChars: r.logFirstChars === null ? null : [...r.logFirstChars],
        options: [...r.options],
        children: r.children.map(idx),
        parents: r.parents.map(idx),
        sidPrevMatched: list(r.sidPrevMatched, what),
        ownGroupList: list(r.ownGroupList, what),
        groupPrevMatched: r.groupPrevMatched.map((l) => {
          const owner = listOwner.get(l);
          if (owner === undefined) throw new NotSnapshottable(`${what}: feeds a group list no rule owns`);
          return owner;
        }),
        src: src ?? null,
      });
    });
    const snap: Snapshot = {
      format: SNAPSHOT_FORMAT,
      dialect: rs.dialect,
      ...(linear ? { re2: linearEngineVersion() ?? '' } : {}),
      verdicts: [0, 0],
      decoders,
      withProgram: rs.decoders.withProgram.map(decIdx),
      withoutProgram: rs.decoders.withoutProgram.map(decIdx),
      names: [...rs.decoders.names],
      rules,
      roots: rs.tree.roots.map(idx),
      maxFrequency: rs.tree.maxFrequency,
      warnings: rs.warnings.map((w) => w.toJSON() as Snapshot['warnings'][number]),
    };
    // Taken in when a pattern is first compiled (preloadVerdicts), as the tests are.
    const verdictsText = JSON.stringify([...verdicts.verdicts]);
    snap.verdicts = [testsText.length, verdictsText.length];
    // JSON has no raw line break: the first one ends the rest and starts the tests text.
    return `${JSON.stringify(snap)}\n${testsText}${verdictsText}`;
  } catch (e) {
    if (e instanceof NotSnapshottable) return null;
    throw e;
  }
}
