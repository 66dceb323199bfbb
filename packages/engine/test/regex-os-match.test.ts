// OS_Match (<match>, <program_name>, <user>, ...): literal text, `|`, `^`/`$` edges (spec §4.2, §11.2).
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../src/index.js';
import { compileOsMatch } from '../src/index.js';

function m(pattern: string, subject: string, dialect: Dialect = 'wazuh'): boolean {
  return compileOsMatch(pattern, { dialect }).test(subject);
}

describe.each<Dialect>(['wazuh', 'ossec'])('OS_Match (%s)', (dialect) => {
  it('`^lit` is a prefix test, `lit$` a suffix test, `^lit$` equality, bare text a substring', () => {
    expect(m('^sshd', 'sshd-session', dialect)).toBe(true);
    expect(m('^sshd', 'xsshd', dialect)).toBe(false);
    expect(m('sshd$', 'opensshd', dialect)).toBe(true);
    expect(m('sshd$', 'sshdx', dialect)).toBe(false);
    expect(m('^su$', 'su', dialect)).toBe(true);
    expect(m('^su$', 'sudo', dialect)).toBe(false);
    expect(m('ail', 'Failed', dialect)).toBe(true);
  });

  it('is case-insensitive', () => {
    expect(m('^FAILED password', 'failed Password for x', dialect)).toBe(true);
  });

  it('splits on `|` and any alternative may match', () => {
    expect(m('^Accepted|authenticated.$', 'user authenticated.', dialect)).toBe(true);
    expect(m('^Accepted|authenticated.$', 'Accepted key', dialect)).toBe(true);
    expect(m('^Accepted|authenticated.$', 'rejected', dialect)).toBe(false);
  });

  it('has no escapes or classes: `.`, `\\d`, `(`, `*` are literal', () => {
    expect(m('a.c', 'abc', dialect)).toBe(false);
    expect(m('a.c', 'a.c', dialect)).toBe(true);
    expect(m('\\d', '5', dialect)).toBe(false);
    expect(m('\\d', 'x\\dx', dialect)).toBe(true);
    expect(m('f(x)*', 'f(x)*', dialect)).toBe(true);
  });

  it('an empty pattern or an empty alternative is always true', () => {
    expect(m('', 'anything', dialect)).toBe(true);
    expect(m('', '', dialect)).toBe(true);
    expect(m('nomatch|', 'anything', dialect)).toBe(true);
  });
});

describe('OS_Match dialect differences', () => {
  it('Wazuh negates a pattern that starts with `!`; OSSEC treats `!` as a literal', () => {
    expect(m('!root', 'alice', 'wazuh')).toBe(true);
    expect(m('!root', 'root', 'wazuh')).toBe(false);
    expect(m('!^root$|^admin$', 'admin', 'wazuh')).toBe(false);
    expect(m('!root', 'alice', 'ossec')).toBe(false);
    expect(m('!root', 'x!rooty', 'ossec')).toBe(true);
  });

  it('Wazuh: `^`/`$` inside an alternative are literal; OSSEC 4.x: they are anchors anywhere', () => {
    expect(m('a^b', 'xa^by', 'wazuh')).toBe(true);
    expect(m('a$b', 'xa$by', 'wazuh')).toBe(true);
    expect(m('a^b', 'xa^by', 'ossec')).toBe(false);
  });
});
