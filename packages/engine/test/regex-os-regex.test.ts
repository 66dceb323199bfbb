// OS_Regex (<regex>, <prematch>): the classes and quirks of spec §4.1 and §11.2, in both dialects.
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../src/index.js';
import { compileOsRegex, PatternError } from '../src/index.js';

const DIALECTS: Dialect[] = ['wazuh', 'ossec'];

function caps(pattern: string, subject: string, dialect: Dialect = 'wazuh'): string[] | null {
  return compileOsRegex(pattern, { dialect }).exec(subject)?.captures ?? null;
}
function matches(pattern: string, subject: string, dialect: Dialect = 'wazuh'): boolean {
  return compileOsRegex(pattern, { dialect }).test(subject);
}

describe.each(DIALECTS)('OS_Regex classes (%s)', (dialect) => {
  it('\\s is only the space: a tab is not \\s but is \\S', () => {
    expect(matches('^a\\sb$', 'a b', dialect)).toBe(true);
    expect(matches('^a\\sb$', 'a\tb', dialect)).toBe(false);
    expect(matches('^a\\Sb$', 'a\tb', dialect)).toBe(true);
    expect(matches('^a\\Sb$', 'a b', dialect)).toBe(false);
    expect(matches('^a\\tb$', 'a\tb', dialect)).toBe(true);
  });

  it('\\. is any character while a bare `.` is a literal dot', () => {
    expect(matches('^a\\.c$', 'abc', dialect)).toBe(true);
    expect(matches('^a.c$', 'abc', dialect)).toBe(false);
    expect(matches('^a.c$', 'a.c', dialect)).toBe(true);
  });

  it('\\w includes `-` and `@` and `_` but not `.` or non-ASCII letters', () => {
    expect(caps('^(\\w+)$', 'user-name@host_x', dialect)).toEqual(['user-name@host_x']);
    expect(matches('^\\w+$', 'a.b', dialect)).toBe(false);
    expect(matches('^\\w+$', 'é', dialect)).toBe(false);
    expect(matches('^\\W$', '.', dialect)).toBe(true);
    expect(matches('^\\W$', '-', dialect)).toBe(false);
  });

  it('\\d/\\D are ASCII digits', () => {
    expect(caps('port (\\d+)', 'port 22 ssh2', dialect)).toEqual(['22']);
    expect(matches('^\\D+$', 'abc', dialect)).toBe(true);
    expect(matches('^\\D+$', 'ab1', dialect)).toBe(false);
  });

  it('\\p is the punctuation set, without / @ \\ ^ _ ` ~', () => {
    for (const ch of '()*+,-.:;<=>?[]!"\'#$%&{}|') expect(matches(`^\\p$`, ch, dialect), ch).toBe(true);
    for (const ch of '/@\\^_`~a1 ') expect(matches(`^\\p$`, ch, dialect), ch).toBe(false);
  });

  it('is case-insensitive for literals, while captures keep the original case', () => {
    expect(caps('failed password for (\\w+)', 'FAILED Password for Root', dialect)).toEqual(['Root']);
  });

  it('`+`/`*` after a literal are literal characters', () => {
    expect(matches('^a+b$', 'a+b', dialect)).toBe(true);
    expect(matches('^a+b$', 'aab', dialect)).toBe(false);
    expect(matches('^ab*$', 'ab*', dialect)).toBe(true);
    expect(matches('^x?$', 'x?', dialect)).toBe(true);
    expect(matches('^[x]$', '[x]', dialect)).toBe(true);
  });

  it('quantifiers are lazy except the last one of the pattern', () => {
    expect(caps('^(\\w+)-(\\w+)$', 'a-b-c', dialect)).toEqual(['a', 'b-c']);
    expect(caps('(\\.+) from (\\S+)', 'user a from b from 1.2.3.4', dialect)).toEqual(['user a', 'b']);
    expect(caps('(\\.+) from (\\S+)$', 'user a from b from 1.2.3.4', dialect)).toEqual(['user a from b', '1.2.3.4']);
    // the last quantifier stays greedy: the whole run, not one character
    expect(caps('id=(\\w+)', 'id=abc def', dialect)).toEqual(['abc']);
  });

  it('an empty alternative matches everything', () => {
    expect(matches('abc|', 'zzz', dialect)).toBe(true);
    expect(matches('|abc', 'zzz', dialect)).toBe(true);
    expect(matches('^', 'zzz', dialect)).toBe(true);
    expect(matches('', 'zzz', dialect)).toBe(true);
  });

  it('escapes the special characters with a backslash: \\( \\) \\$ \\\\ \\| \\<', () => {
    expect(matches('^\\(x\\)$', '(x)', dialect)).toBe(true);
    expect(matches('^a\\$b$', 'a$b', dialect)).toBe(true);
    expect(matches('^a\\\\b$', 'a\\b', dialect)).toBe(true);
    expect(matches('^a\\|b$', 'a|b', dialect)).toBe(true);
    expect(matches('^\\<tag>$', '<tag>', dialect)).toBe(true);
  });

  it.each(['\\n', '\\-', '\\/', '\\r', '\\>'])('rejects the invalid escape %s', (pattern) => {
    expect(() => compileOsRegex(`a${pattern}b`, { dialect })).toThrow(PatternError);
  });

  it('rejects a lone trailing backslash and unbalanced groups', () => {
    expect(() => compileOsRegex('abc\\', { dialect })).toThrow(PatternError);
    expect(() => compileOsRegex('(abc', { dialect })).toThrow(/unbalanced/);
    expect(() => compileOsRegex('abc)', { dialect })).toThrow(PatternError);
  });
});

describe('OS_Regex alternation', () => {
  // `b(x)` matches later in the subject than `a(y)`.
  it('Wazuh tries each alternative over the whole subject in order: the first that matches wins', () => {
    const m = compileOsRegex('b(x)|a(y)', { dialect: 'wazuh' }).exec('ay bx');
    expect(m?.captures).toEqual(['x']);
    expect(m?.end).toBe(5);
  });

  it('OSSEC 4.x takes the leftmost match across alternatives', () => {
    const m = compileOsRegex('b(x)|a(y)', { dialect: 'ossec' }).exec('ay bx');
    expect(m?.captures).toEqual(['y']);
    expect(m?.end).toBe(2);
  });

  it('numbers captures per alternative (only the groups of the matching alternative count)', () => {
    for (const dialect of DIALECTS) {
      expect(caps(' from (\\S+)$| from (\\S+) port (\\d+)$', 'x from 1.2.3.4 port 22', dialect)).toEqual(['1.2.3.4', '22']);
      expect(caps(' from (\\S+)$| from (\\S+) port (\\d+)$', 'x from 1.2.3.4', dialect)).toEqual(['1.2.3.4']);
    }
  });

  it('Wazuh: `^` and `$` are anchors only at the edges of an alternative, literal inside', () => {
    expect(matches('a^b', 'a^b', 'wazuh')).toBe(true);
    expect(matches('a$b', 'xa$b', 'wazuh')).toBe(true);
    expect(matches('x|^b', 'abc', 'wazuh')).toBe(false);
    expect(matches('x|^a', 'abc', 'wazuh')).toBe(true);
  });

  it('OSSEC 4.x: `^` and `$` are anchors anywhere, and groups may nest', () => {
    expect(matches('a^b', 'a^b', 'ossec')).toBe(false);
    expect(caps('((\\d+)x)', '12x', 'ossec')).toEqual(['12x', '12']);
    expect(() => compileOsRegex('((\\d+)x)', { dialect: 'wazuh' })).toThrow(/one level/);
  });

  it('an empty alternative after a real one still matches a subject the first misses (concatenated elements)', () => {
    for (const dialect of DIALECTS) expect(compileOsRegex('^Failed|', { dialect }).exec('anything')?.captures).toEqual([]);
  });
});

describe('OS_Regex escapes of brackets and braces', () => {
  it('OSSEC 4.x accepts \\[ \\] \\{ \\} as literal escapes (spec §11.2)', () => {
    expect(matches('^\\[x\\]\\{y\\}$', '[x]{y}', 'ossec')).toBe(true);
  });

  // Spec §4.1: only \w \W \d \D \s \S \p \t \. \\ \( \) \$ \< and backslash-pipe are legal in the
  // hand-written (Wazuh) engine; `\[` is named as a compile error.
  it('Wazuh rejects \\[ (spec §4.1 lists it as a compile error)', () => {
    expect(() => compileOsRegex('a\\[b', { dialect: 'wazuh' })).toThrow(PatternError);
  });
});

describe('OS_Regex negation (Wazuh negate="yes")', () => {
  it('inverts the result, with no captures', () => {
    const p = compileOsRegex('^foo', { dialect: 'wazuh', negate: true });
    expect(p.test('foobar')).toBe(false);
    expect(p.test('barfoo')).toBe(true);
    expect(p.exec('barfoo')?.captures).toEqual([]);
  });
});
