// The rule prefilters (first character, required characters) must never reject a subject the
// pattern matches: they only save regex runs. Checked on crafted cases and, for soundness, on
// every <pcre2> of the stock OSSEC 4.2 rules against real log lines.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { charMask, compileOsMatch, compileOsRegex, compilePcre2, sourceFirstChars, sourceRequiredChars } from '../src/regex/pattern.js';
import type { Pattern } from '../src/regex/pattern.js';

function admits(p: Pattern, subject: string): boolean {
  const first = p.firstChars();
  if (first !== null && (subject.length === 0 || !first.has(subject[0]!))) return false;
  const masks = p.requiredChars();
  if (masks === null) return true;
  const m = new Uint32Array(4);
  charMask(subject, m);
  return masks.some((r) => r.every((w, i) => (w & ~m[i]!) === 0));
}

describe('first-character prefilter', () => {
  it('knows anchored literal alternatives, in both cases when caseless', () => {
    expect(sourceFirstChars('^Accepted|^Failed', true)).toEqual(new Set(['a', 'A', 'f', 'F']));
    expect(sourceFirstChars('^Accepted', false)).toEqual(new Set(['A']));
  });
  it('gives up when any alternative is unanchored, optional or a class', () => {
    expect(sourceFirstChars('^Accepted|Failed', true)).toBeNull();
    expect(sourceFirstChars('^a?b', true)).toBeNull();
    expect(sourceFirstChars('^\\d+', true)).toBeNull();
    expect(sourceFirstChars('^(a|b)', true)).toBeNull();
  });
});

describe('required-character prefilter', () => {
  it('collects the literal characters outside groups and optional parts', () => {
    const [m] = sourceRequiredChars('could not (x|y)z? load')!;
    const has = (c: string) => (m![c.charCodeAt(0) >> 5]! & (1 << (c.charCodeAt(0) & 31))) !== 0;
    expect(['c', 'o', 'u', 'l', 'd', 'n', 't', 'a', ' '].every(has)).toBe(true);
    expect(has('x') || has('y') || has('z')).toBe(false);
  });
  it('keeps a single required character (a rare one rules out most lines)', () => {
    const p = compilePcre2('\\?{21}', { dialect: 'ossec', caseless: true });
    expect(p.requiredChars()).not.toBeNull();
    expect(admits(p, `x${'?'.repeat(21)}`)).toBe(true);
    expect(admits(p, 'sshd: Connection closed by 10.0.0.1 port 22')).toBe(false);
  });
  it('admits every subject the pattern matches', () => {
    const cases: [Pattern, string][] = [
      [compilePcre2('Could not load host key', { dialect: 'ossec', caseless: true }), 'error: COULD NOT LOAD HOST KEY: x'],
      [compileOsRegex('^Failed \\S+ for (\\S+)', { dialect: 'wazuh' }), 'failed password for root'],
      [compileOsMatch('session opened|session closed', { dialect: 'wazuh' }), 'pam: session closed for user x'],
      [compilePcre2('port \\d{2} ssh', { dialect: 'ossec', caseless: true }), 'port 44 ssh'],
      [compilePcre2('id=\\d{3,} ok', { dialect: 'ossec', caseless: true }), 'id=999 ok'],
    ];
    for (const [p, s] of cases) {
      expect(p.test(s)).toBe(true);
      expect(admits(p, s)).toBe(true);
    }
  });
});

const shared = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared');
describe.skipIf(!existsSync(shared))('soundness on the stock OSSEC 4.2 patterns', () => {
  it('never rejects a line a stock <pcre2> matches', () => {
    const rulesDir = join(shared, 'compat', 'ossec-hids-4.2.0', 'rules');
    const patterns: Pattern[] = [];
    for (const f of readdirSync(rulesDir).filter((n) => n.endsWith('.xml'))) {
      for (const m of readFileSync(join(rulesDir, f), 'utf8').matchAll(/<pcre2>([^<]*(?:\\<[^<]*)*)<\/pcre2>/g)) {
        try {
          patterns.push(compilePcre2(m[1]!, { dialect: 'ossec', caseless: true }));
        } catch {
          // patterns needing variables or RE2 are covered elsewhere
        }
      }
    }
    const lines = ['seed-scenario.log', 'loghub-openssh-2k.log']
      .flatMap((f) => readFileSync(join(shared, 'corpus', f), 'utf8').split('\n'))
      .map((l) => l.replace(/\r$/, '').replace(/^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ \S+?: /, ''));
    expect(patterns.length).toBeGreaterThan(300);
    let checked = 0;
    for (const p of patterns)
      for (const l of lines) {
        if (!p.test(l)) continue;
        checked++;
        expect(admits(p, l), `${p.source} on ${l}`).toBe(true);
      }
    expect(checked).toBeGreaterThan(100);
  });
});
