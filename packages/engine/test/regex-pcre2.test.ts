// PCRE2 (OSSEC 4.x *_pcre2 elements, Wazuh type="pcre2"): what JavaScript lacks is translated,
// what it cannot express is rejected with an error naming the construct (spec §4.3, §11.1).
import { describe, expect, it } from 'vitest';
import { compilePcre2, PatternError } from '../src/index.js';

function caps(pattern: string, subject: string, caseless = true): string[] | null {
  return compilePcre2(pattern, { dialect: 'ossec', caseless }).exec(subject)?.captures ?? null;
}
function matches(pattern: string, subject: string, caseless = true): boolean {
  return compilePcre2(pattern, { dialect: 'ossec', caseless }).test(subject);
}
function rejection(pattern: string): PatternError {
  try {
    compilePcre2(pattern, { dialect: 'ossec', caseless: true });
  } catch (e) {
    if (e instanceof PatternError) return e;
    throw e;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

describe('PCRE2 translation', () => {
  it('\\z is the end of the subject (not a literal z), \\A the start', () => {
    expect(matches('-512(?:\\D|\\z)', 'alg-512')).toBe(true);
    expect(matches('abc\\z', 'abcz')).toBe(false);
    expect(matches('abc\\z', 'xabc')).toBe(true);
    expect(matches('\\Aabc', 'abcd')).toBe(true);
    expect(matches('\\Aabc', 'xabc')).toBe(false);
  });

  it('\\s is PCRE2 ASCII white space: not U+00A0, which is \\S', () => {
    expect(matches('^a\\sb$', 'a b')).toBe(true);
    expect(matches('^a\\sb$', 'a\tb')).toBe(true);
    expect(matches('^a\\sb$', 'a\u00a0b')).toBe(false);
    expect(matches('^a\\Sb$', 'a\u00a0b')).toBe(true);
    expect(matches('^a[\\s]b$', 'a\u00a0b')).toBe(false);
  });

  it('\\< and \\> are literal angle brackets', () => {
    expect(caps('\\<(\\w+)\\>', 'x <tag> y')).toEqual(['tag']);
  });

  it('\\Q…\\E quotes metacharacters', () => {
    expect(matches('^\\Qa.b*c\\E$', 'a.b*c')).toBe(true);
    expect(matches('^\\Qa.b*c\\E$', 'axbbc')).toBe(false);
  });

  it('POSIX classes inside brackets', () => {
    expect(caps('([[:digit:]]+)', 'port 443')).toEqual(['443']);
    expect(matches('^[[:alpha:]_]+$', 'ab_C')).toBe(true);
    expect(matches('^[[:alpha:]]+$', 'ab1')).toBe(false);
    expect(matches('^[[:xdigit:]]+$', 'DEADbeef')).toBe(true);
    expect(matches('[[:space:]]', 'a\u00a0b')).toBe(false);
  });

  it('a leading (?i) makes a case-sensitive pattern caseless', () => {
    expect(matches('Failed', 'failed', false)).toBe(false);
    expect(matches('(?i)Failed', 'failed', false)).toBe(true);
  });

  it('a leading (?s) lets `.` match a newline', () => {
    expect(matches('^a.b$', 'a\nb')).toBe(false);
    expect(matches('(?s)^a.b$', 'a\nb')).toBe(true);
  });

  it('a leading (?U) swaps greedy and lazy quantifiers', () => {
    expect(caps('a(.+)', 'abc')).toEqual(['bc']);
    expect(caps('(?U)a(.+)', 'abc')).toEqual(['b']);
    expect(caps('(?U)a(.+?)', 'abc')).toEqual(['bc']);
  });

  it('OSSEC compiles *_pcre2 caseless; Wazuh type="pcre2" is case-sensitive', () => {
    expect(compilePcre2('^Failed', { dialect: 'ossec', caseless: true }).test('FAILED x')).toBe(true);
    expect(compilePcre2('^Failed', { dialect: 'wazuh', caseless: false }).test('FAILED x')).toBe(false);
  });

  it('compacts captures: unset groups are skipped, empty groups are kept', () => {
    expect(caps('(a)|(b)', 'b')).toEqual(['b']);
    expect(caps('^(\\S+) (\\S*)$', 'x ')).toEqual(['x', '']);
    expect(caps('(?:(user)|(group))=(\\w+)', 'group=adm')).toEqual(['group', 'adm']);
  });

  it('named groups (?P<n>…) and (?<n>…) still capture in order', () => {
    expect(caps('(?P<u>\\w+)@(?<h>\\w+)', 'root@db1')).toEqual(['root', 'db1']);
  });
});

describe('PCRE2 constructs JavaScript cannot run are rejected, naming the construct', () => {
  it.each([
    ['a++b', /possessive/],
    ['x(?>ab|a)b', /atomic/],
    ['a(?R)?b', /recursion/],
    ['(a)(?1)', /recursion/],
    ['(?|(a)|(b))', /branch reset/],
    ['a\\Kb', /\\K/],
    ['(*UTF)a', /VERB/],
    ['(?x)a b', /\(\?x\)/],
  ])('%s', (pattern, what) => {
    const e = rejection(pattern);
    expect(e.unsupported).toBe(true);
    expect(e.message).toMatch(what);
  });

  it('(?R) alone is rejected and the message names it', () => {
    const e = rejection('(?R)');
    expect(e.unsupported).toBe(true);
    expect(e.message).toContain('(?R)');
  });

  it('reports invalid syntax as a (supported-but-bad) pattern error', () => {
    const e = rejection('a(b');
    expect(e.unsupported).toBe(false);
    expect(() => compilePcre2('[abc', { dialect: 'ossec', caseless: true })).toThrow(/never closed/);
  });
});

describe('PCRE2 inline flags inside a Wazuh case-sensitive pattern', () => {
  // PCRE2 applies (?i) from where it stands (and (?i:…) to its group). The translator drops the
  // flag because "patterns are compiled caseless already", which is false for Wazuh type="pcre2".
  // Either honouring it or rejecting the pattern would be correct; silently ignoring it is not.
  it('foo(?i:bar) matches fooBAR, or the pattern is rejected', () => {
    let outcome: boolean | 'rejected';
    try {
      outcome = compilePcre2('foo(?i:bar)', { dialect: 'wazuh', caseless: false }).test('fooBAR');
    } catch {
      outcome = 'rejected';
    }
    expect(outcome).not.toBe(false);
  });
});
