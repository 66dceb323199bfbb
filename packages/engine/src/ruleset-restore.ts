// Rebuilding a compiled ruleset from its snapshot (ruleset-snapshot.ts has the data's layout and
// the other direction). The same builders a compile runs, but patterns are translated and compiled
// on first use and each rule's tests built when the rule is first visited (ruleTests); a snapshot
// that does not fit this engine is refused with an Error, never half-restored.
import type { Decoder, DecoderSet } from './decoders.js';
import { blankDecoder } from './decoders.js';
import type { CompiledRuleset, RulesetInput } from './engine.js';
import { parseLists } from './lists.js';
import { RulesetError } from './errors.js';
import { EMPTY_LAYOUT, attachLayout } from './correlation-record.js';
import { RecordList } from './record-list.js';
import type { Dialect } from './regex/pattern.js';
import { linearEngineVersion } from './regex/pattern.js';
import { preloadVerdicts } from './regex/safety.js';
import type { TestSnap } from './rule-recipes.js';
import { deferTests, restorePattern, restoreTest } from './rule-recipes.js';
import type { RuleTree } from './rule-tree.js';
import type { Rule } from './rules.js';
import { blankRule } from './rules.js';
import type { DecoderSnap, Fields, ListSnap, RuleSnap, Snapshot } from './ruleset-snapshot.js';
import { SNAPSHOT_FORMAT, rememberVerdicts } from './ruleset-snapshot.js';

/** Copies `fields` onto a blank object whose own fields are `own`, refusing a field it lacks. */
function assign(target: object, own: ReadonlySet<string>, fields: Fields, kind: string, i: number): void {
  for (const k in fields) {
    if (!own.has(k)) throw new Error(`ruleset snapshot: ${kind} #${i} has an unknown field ${k}`);
    (target as Record<string, unknown>)[k] = fields[k];
  }
}

/**
 * Rebuilds the ruleset a snapshot was taken of. `input` must be the files it was compiled from
 * (its lists are read again for the list tests). Throws an Error when the snapshot does not fit.
 */
export function restoreRuleset(json: string, input: RulesetInput, dialect: Dialect): CompiledRuleset {
  const nl = json.indexOf('\n');
  const snap = JSON.parse(nl < 0 ? json : json.slice(0, nl)) as Snapshot;
  if (snap.format !== SNAPSHOT_FORMAT) throw new Error(`ruleset snapshot: format ${snap.format}, expected ${SNAPSHOT_FORMAT}`);
  if (snap.dialect !== dialect) throw new Error(`ruleset snapshot: dialect ${snap.dialect}, expected ${dialect}`);
  if (nl < 0) throw new Error('ruleset snapshot: no tests text');
  // Patterns compile on first use: one that ran on RE2 must find the very same RE2 then.
  if (snap.re2 !== undefined && linearEngineVersion() !== snap.re2) throw new Error(`ruleset snapshot: its patterns ran on RE2 ${snap.re2}, here ${linearEngineVersion() ?? 'none'}`);
  const testsFrom = nl + 1;
  const [vAt, vLength] = snap.verdicts;
  if (vAt < 0 || testsFrom + vAt + vLength > json.length) throw new Error('ruleset snapshot: its verdicts are not in it');
  const verdicts = (): [string, boolean][] => JSON.parse(json.slice(testsFrom + vAt, testsFrom + vAt + vLength)) as [string, boolean][];
  preloadVerdicts({ [Symbol.iterator]: () => verdicts()[Symbol.iterator]() });

  const decoders: Decoder[] = snap.decoders.map(() => blankDecoder());
  const decAt = (i: number): Decoder => {
    const d = decoders[i];
    if (!d) throw new Error(`ruleset snapshot: no decoder #${i}`);
    return d;
  };
  const decoderFields = new Set(Object.keys(blankDecoder()));
  // Each entry of the parsed data is let go of once used: the scavenges that the objects made here
  // set off (nearly all of them live on) then no longer copy the data they were made from.
  const decoderSnaps: (DecoderSnap | undefined)[] = snap.decoders;
  decoderSnaps.forEach((s, i) => {
    decoderSnaps[i] = undefined;
    if (s === undefined) return;
    const d = decoders[i]!;
    assign(d, decoderFields, s.fields, 'decoder', i);
    d.programName = s.programName ? restorePattern(s.programName) : null;
    d.prematch = s.prematch ? restorePattern(s.prematch) : null;
    d.regex = s.regex ? restorePattern(s.regex) : null;
    if (s.children) d.children = s.children.map(decAt); // else the blank's own empty list
    d.next = s.next === undefined ? null : decAt(s.next);
  });
  const decoderSet: DecoderSet = {
    withProgram: snap.withProgram.map(decAt),
    withoutProgram: snap.withoutProgram.map(decAt),
    names: new Set(snap.names),
    all: decoders,
  };

  const all: Rule[] = snap.rules.map(() => blankRule());
  const ruleAt = (i: number): Rule => {
    const r = all[i];
    if (!r) throw new Error(`ruleset snapshot: no rule #${i}`);
    return r;
  };
  // The lists are read again, but nothing is warned twice: the compile's warnings come back below.
  const ctx = { lists: parseLists(input.lists ?? []), warn: () => {} };
  const ruleFields = new Set(Object.keys(blankRule()));
  const ruleSnaps: (RuleSnap | undefined)[] = snap.rules;
  const feeds: [Rule, number[]][] = [];
  ruleSnaps.forEach((s, i) => {
    ruleSnaps[i] = undefined;
    if (s === undefined) return;
    const r = ruleAt(i);
    if (s.groupPrevMatched) feeds.push([r, s.groupPrevMatched]);
    assign(r, ruleFields, s.fields, 'rule', i);
    if (s.src) {
      const [fi, at, length] = s.src;
      const f = input.rules[fi];
      if (!f || at + length > f.text.length) throw new Error(`ruleset snapshot: rule #${i}'s source is not in the input`);
      r.file = f.path;
      r.sourceText = f.text.slice(at, at + length);
    }
    if (s.tests) {
      const [at, length] = s.tests;
      const from = testsFrom + at;
      if (at < 0 || length <= 0 || from + length > json.length) throw new Error(`ruleset snapshot: rule #${i}'s tests are not in it`);
      deferTests(r, () => (JSON.parse(json.slice(from, from + length)) as TestSnap[]).map((t) => restoreTest(r, t, ctx, dialect)));
    }
    r.ifMatchedRegex = s.ifMatchedRegex ? restorePattern(s.ifMatchedRegex) : null;
    r.logFirstChars = s.logFirstChars ? new Set(s.logFirstChars) : null;
    // The blank rule's own empty tests, options, children and parents stay where there are none.
    if (s.options) r.options = new Set(s.options);
    if (s.children) r.children = s.children.map(ruleAt);
    if (s.parents) r.parents = s.parents.map(ruleAt);
    r.sidPrevMatched = s.sidPrevMatched ? newList(s.sidPrevMatched) : null;
    r.ownGroupList = s.ownGroupList ? newList(s.ownGroupList) : null;
  });
  for (const [r, owners] of feeds) {
    r.groupPrevMatched = owners.map((o) => {
      const l = ruleAt(o).ownGroupList;
      if (!l) throw new Error(`ruleset snapshot: rule #${o} owns no group list`);
      return l;
    });
  }
  const tree: RuleTree = {
    roots: snap.roots.map(ruleAt),
    byId: byIdOf(all),
    all,
    maxFrequency: snap.maxFrequency,
    correlation: EMPTY_LAYOUT,
  };
  attachLayout(tree, dialect);
  const warnings = snap.warnings.map((w) => new RulesetError(w.code, w.message, w.file, w.line, w.column));
  const rs: CompiledRuleset = { dialect, decoders: decoderSet, tree, warnings };
  rememberVerdicts(rs, () => ({ verdicts: new Map(verdicts()), required: new Map() }));
  return rs;
}

function byIdOf(all: Rule[]): Map<number, Rule> {
  const m = new Map<number, Rule>();
  for (const r of all) m.set(r.id, r);
  return m;
}

function newList(s: ListSnap): RecordList {
  const l = new RecordList(s.cap);
  if (s.bySrcip) l.bySrcip = new Map();
  return l;
}
