// Compiled patterns: one interface over the three dialects, running on V8's RegExp, or on RE2
// for the few patterns whose worst case on V8 is worse than quadratic (see safety.ts).
import { createRequire } from 'node:module';
import { reFirstChars, reRequiredChars } from './prefilter.js';
import { needsLinearEngine } from './safety.js';
import {
  PatternError,
  splitOsRegexAlternatives,
  translateOsMatch4,
  translateOsMatchClassic,
  translateOsRegex,
  translatePcre2,
} from './translate.js';

export type Dialect = 'wazuh' | 'ossec';

export interface MatchResult {
  /** Participating capture groups in order (unset groups skipped, empty ones kept). */
  readonly captures: string[];
  /** Index just after the match in the subject. */
  readonly end: number;
}

export interface Pattern {
  readonly source: string;
  readonly kind: 'osregex' | 'osmatch' | 'pcre2' | 'string';
  test(subject: string): boolean;
  exec(subject: string): MatchResult | null;
  /** Where the first match ends, or -1 when there is none: `exec(subject)?.end ?? -1` without building the result. */
  execEnd(subject: string): number;
  /**
   * As `exec`, but the participating captures go into `out` (emptied first) and the return value is
   * where the match ends, or -1 when there is none (then `out` is empty). For hot paths.
   */
  execInto(subject: string, out: string[]): number;
  /**
   * The characters a matching subject can start with, when every alternative is anchored at the
   * start by a literal character; null when the pattern can match subjects starting with anything.
   */
  firstChars(): Set<string> | null;
  /**
   * Per alternative, the ASCII characters (lowercased) a match must contain, as 128-bit masks;
   * null when nothing useful is known. A subject lacking every alternative's characters cannot match.
   */
  requiredChars(): Uint32Array[] | null;
}

interface Re {
  exec(s: string): RegExpExecArray | null;
  test(s: string): boolean;
}

type Re2Ctor = new (source: string, flags: string) => Re;
let re2: Re2Ctor | null | undefined;
function loadRe2(): Re2Ctor | null {
  if (re2 === undefined) {
    try {
      re2 = createRequire(import.meta.url)('re2') as Re2Ctor;
    } catch {
      re2 = null;
    }
  }
  return re2;
}

let re2Version: string | null | undefined;
/**
 * The version of the RE2 module loadRe2 would load, or null when there is none, found without
 * loading it (a snapshot with patterns on RE2 is restored only where the same RE2 is found, and
 * loading it costs a start-up a few ms that a replay reaching no such pattern never needs).
 */
export function linearEngineVersion(): string | null {
  if (re2Version === undefined) {
    try {
      const pkg = createRequire(import.meta.url)('re2/package.json') as { version?: unknown };
      re2Version = typeof pkg.version === 'string' ? pkg.version : null;
    } catch {
      re2Version = null;
    }
  }
  return re2Version;
}

/** Counts of where patterns run, for `portcullis` diagnostics and the benchmark. */
export const regexStats = { v8: 0, re2: 0 };

export function compileJs(source: string, flags: string): Re {
  // Validate with V8 first so syntax errors read the same whichever engine runs it.
  let v8: RegExp;
  try {
    v8 = new RegExp(source, flags);
  } catch (e) {
    throw new PatternError(`invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, 0);
  }
  if (!needsLinearEngine(source)) {
    regexStats.v8++;
    return v8;
  }
  const Ctor = loadRe2();
  if (!Ctor) throw new PatternError('pattern needs the linear-time engine (re2), which is not installed', 0, true);
  try {
    const r = new Ctor(source, flags);
    regexStats.re2++;
    return r;
  } catch (e) {
    throw new PatternError(
      `pattern could take exponential time and uses a construct the linear-time engine cannot run (${(e as Error).message})`,
      0,
      true,
    );
  }
}

function compact(m: RegExpExecArray): string[] {
  const out: string[] = [];
  for (let i = 1; i < m.length; i++) {
    const g = m[i];
    if (g !== undefined) out.push(g);
  }
  return out;
}

const ALWAYS: MatchResult = { captures: [], end: 0 };

/** Participating groups of `m` appended to `out` (as `compact`). */
function pushCaptures(m: RegExpExecArray, out: string[]): void {
  for (let i = 1; i < m.length; i++) {
    const g = m[i];
    if (g !== undefined) out.push(g);
  }
}

/**
 * Where the first match of `re` in `subject` ends, or -1. A V8 RegExp gets a global twin (made on
 * first use, kept in `twins`) whose `test` leaves the end in lastIndex: no match array, no strings.
 */
const twins = new WeakMap<Re, RegExp>();
function matchEnd(re: Re, subject: string): number {
  if (re instanceof RegExp) {
    let g = twins.get(re);
    if (g === undefined) {
      g = new RegExp(re.source, `${re.flags}g`);
      twins.set(re, g);
    }
    g.lastIndex = 0;
    return g.test(subject) ? g.lastIndex : -1;
  }
  const m = re.exec(subject);
  return m ? m.index + m[0].length : -1;
}

class RegexPattern implements Pattern {
  /** `re`'s global twin (see matchEnd), made on the first execEnd. */
  private endRe: RegExp | null = null;

  constructor(
    readonly source: string,
    readonly kind: Pattern['kind'],
    private readonly re: Re | null,
    private readonly negate = false,
  ) {}

  execEnd(subject: string): number {
    if (this.re === null) return this.negate ? -1 : 0;
    if (this.negate) return this.re.test(subject) ? -1 : 0;
    if (this.re instanceof RegExp) {
      const g = (this.endRe ??= new RegExp(this.re.source, `${this.re.flags}g`));
      g.lastIndex = 0;
      return g.test(subject) ? g.lastIndex : -1;
    }
    return matchEnd(this.re, subject);
  }

  execInto(subject: string, out: string[]): number {
    out.length = 0;
    if (this.re === null) return this.negate ? -1 : 0;
    const m = this.re.exec(subject);
    if (this.negate) return m ? -1 : 0;
    if (!m) return -1;
    pushCaptures(m, out);
    return m.index + m[0].length;
  }

  test(subject: string): boolean {
    return (this.re === null || this.re.test(subject)) !== this.negate;
  }

  firstChars(): Set<string> | null {
    return this.negate ? null : reFirstChars(this.re);
  }

  requiredChars(): Uint32Array[] | null {
    return this.negate ? null : reRequiredChars(this.re);
  }

  /** True when it runs on RE2 (see onLinearEngine). */
  linear(): boolean {
    return this.re !== null && !(this.re instanceof RegExp);
  }

  exec(subject: string): MatchResult | null {
    if (this.re === null) return this.negate ? null : ALWAYS;
    const m = this.re.exec(subject);
    if (this.negate) return m ? null : ALWAYS;
    if (!m) return null;
    return { captures: compact(m), end: m.index + m[0].length };
  }
}

/** Wazuh OS_Regex: alternatives tried in order over the whole subject; the first that matches wins. */
class AlternativesPattern implements Pattern {
  readonly kind = 'osregex' as const;
  constructor(
    readonly source: string,
    private readonly alts: (Re | null)[],
    private readonly negate: boolean,
  ) {}

  test(subject: string): boolean {
    for (const re of this.alts) if (re === null || re.test(subject)) return !this.negate;
    return this.negate;
  }

  linear(): boolean {
    return this.alts.some((re) => re !== null && !(re instanceof RegExp));
  }

  requiredChars(): Uint32Array[] | null {
    if (this.negate) return null;
    const all: Uint32Array[] = [];
    for (const re of this.alts) {
      const m = reRequiredChars(re);
      if (m === null) return null;
      all.push(...m);
    }
    return all;
  }

  firstChars(): Set<string> | null {
    if (this.negate) return null;
    const all = new Set<string>();
    for (const re of this.alts) {
      const f = reFirstChars(re);
      if (f === null) return null;
      for (const c of f) all.add(c);
    }
    return all;
  }

  exec(subject: string): MatchResult | null {
    for (const re of this.alts) {
      if (re === null) return this.negate ? null : ALWAYS;
      const m = re.exec(subject);
      if (m) return this.negate ? null : { captures: compact(m), end: m.index + m[0].length };
    }
    return this.negate ? ALWAYS : null;
  }

  execEnd(subject: string): number {
    for (const re of this.alts) {
      if (re === null) return this.negate ? -1 : 0;
      if (this.negate) {
        if (re.test(subject)) return -1;
        continue;
      }
      const end = matchEnd(re, subject);
      if (end >= 0) return end;
    }
    return this.negate ? 0 : -1;
  }

  execInto(subject: string, out: string[]): number {
    out.length = 0;
    for (const re of this.alts) {
      if (re === null) return this.negate ? -1 : 0;
      const m = re.exec(subject);
      if (m) {
        if (this.negate) return -1;
        pushCaptures(m, out);
        return m.index + m[0].length;
      }
    }
    return this.negate ? 0 : -1;
  }
}

/** True when `p` (a compiled pattern) runs on the linear-time engine, RE2, in part or whole. */
export function onLinearEngine(p: Pattern): boolean {
  return (p instanceof RegexPattern || p instanceof AlternativesPattern) && p.linear();
}

export interface CompileOptions {
  dialect: Dialect;
  negate?: boolean;
}

export function compileOsRegex(pattern: string, opts: CompileOptions): Pattern {
  const negate = opts.negate ?? false;
  if (opts.dialect === 'ossec') {
    const src = translateOsRegex(pattern, true);
    return new RegexPattern(pattern, 'osregex', src === '' ? null : compileJs(src, 'i'), negate);
  }
  const alts = splitOsRegexAlternatives(pattern).map(({ text, offset }) => {
    if (text === '') return null;
    const src = translateOsRegex(text, false, offset);
    return src === '^' || src === '$' ? null : compileJs(src, 'i');
  });
  if (alts.length === 1) return new RegexPattern(pattern, 'osregex', alts[0]!, negate);
  return new AlternativesPattern(pattern, alts, negate);
}

export function compileOsMatch(pattern: string, opts: CompileOptions): Pattern {
  let negate = opts.negate ?? false;
  let text = pattern;
  if (opts.dialect === 'wazuh' && text.startsWith('!')) {
    negate = !negate;
    text = text.slice(1);
  }
  const src = opts.dialect === 'wazuh' ? translateOsMatchClassic(text) : translateOsMatch4(text);
  return new RegexPattern(pattern, 'osmatch', src === null ? null : compileJs(src, 'i'), negate);
}

/** PCRE2. OSSEC 4.x compiles `*_pcre2` caseless; Wazuh's type="pcre2" is case-sensitive. */
export function compilePcre2(pattern: string, opts: CompileOptions & { caseless: boolean }): Pattern {
  const { source, flags } = translatePcre2(pattern, opts.caseless);
  let f = flags;
  if (opts.caseless && !f.includes('i')) f += 'i';
  return new RegexPattern(pattern, 'pcre2', source === '' ? null : compileJs(source, f), opts.negate ?? false);
}

/** Plain string equality (Wazuh `<action>` default). */
export function compileString(pattern: string, negate = false): Pattern {
  return {
    source: pattern,
    kind: 'string',
    firstChars: () => null,
    requiredChars: () => null,
    test: (s) => (s === pattern) !== negate,
    exec: (s) => ((s === pattern) !== negate ? ALWAYS : null),
    execEnd: (s) => ((s === pattern) !== negate ? 0 : -1),
    execInto: (s, out) => {
      out.length = 0;
      return (s === pattern) !== negate ? 0 : -1;
    },
  };
}

export { PatternError };
export { charMask, sourceFirstChars, sourceRequiredChars } from './prefilter.js';
