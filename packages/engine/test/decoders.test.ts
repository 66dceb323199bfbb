// Decoding (spec §3): the program-name and no-program-name lists, child selection, sibling chains,
// offsets, order fields, names and types, and load errors with their locations.
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../src/index.js';
import { buildEngine, loadErrors, summary, syslogLine } from './helpers.js';

const BOTH: Dialect[] = ['wazuh', 'ossec'];

function decodeWith(decoders: string, line: string, dialect: Dialect = 'wazuh') {
  return summary(buildEngine(decoders, '', { dialect }).processOne(line, 'stdin', 1));
}

describe.each(BOTH)('decoder selection (%s)', (dialect) => {
  const lists = `
<decoder name="with-program"><program_name>^app$</program_name></decoder>
<decoder name="no-program"><prematch>^app: </prematch></decoder>
<decoder name="json-like"><prematch>^{"</prematch></decoder>
`;

  it('an event with a program name is matched only against decoders that have one', () => {
    expect(decodeWith(lists, syslogLine('app: hello'), dialect).decoder).toBe('with-program');
    // The prematch would match, but the event has a program name, so the NOPN list is not tried.
    expect(decodeWith(lists, syslogLine('app: hello', 'other'), dialect).decoder).toBeNull();
  });

  it('an event without a program name is matched only against decoders without one', () => {
    expect(decodeWith(lists, 'app: hello', dialect).decoder).toBe('no-program');
    expect(decodeWith(lists, '{"a":1}', dialect).decoder).toBe('json-like');
    expect(decodeWith(lists, 'nothing', dialect).decoder).toBeNull();
  });

  it('an empty <program_name/> matches every program name, placing a prematch-only decoder in the program list', () => {
    const decoders = `
<decoder name="pam"><program_name/><prematch>^pam_unix</prematch></decoder>
<decoder name="sshd"><program_name>^sshd</program_name></decoder>
`;
    // pam is loaded first and claims sshd's pam_unix lines, as the stock ruleset does.
    expect(decodeWith(decoders, syslogLine('pam_unix(sshd:auth): authentication failure', 'sshd'), dialect).decoder).toBe('pam');
    expect(decodeWith(decoders, syslogLine('pam_unix(cron:session): x', 'CRON'), dialect).decoder).toBe('pam');
    expect(decodeWith(decoders, syslogLine('Failed password', 'sshd'), dialect).decoder).toBe('sshd');
    expect(decodeWith(decoders, 'pam_unix(x): headerless', dialect).decoder).toBeNull();
  });

  it('the first top-level decoder whose program name and prematch match wins; nothing else is tried', () => {
    const decoders = `
<decoder name="first"><program_name>^app</program_name><prematch>^login</prematch></decoder>
<decoder name="second"><program_name>^app</program_name></decoder>
<decoder name="first-child"><parent>first</parent><prematch>^never</prematch><regex>(x)</regex><order>id</order></decoder>
<decoder name="third"><program_name>^app</program_name><prematch>^login</prematch><regex>login (\\w+)</regex><order>user</order></decoder>
`;
    // `first` wins although no child of it matches: the event keeps the parent and no fields.
    expect(decodeWith(decoders, syslogLine('login bob'), dialect)).toMatchObject({ decoder: 'first', fields: {} });
    expect(decodeWith(decoders, syslogLine('logout bob'), dialect)).toMatchObject({ decoder: 'second', fields: {} });
  });
});

describe.each(BOTH)('children (%s)', (dialect) => {
  const decoders = `
<decoder name="app"><program_name>^app$</program_name><prematch>^app: </prematch></decoder>

<decoder name="app-login">
  <parent>app</parent>
  <prematch offset="after_parent">^login </prematch>
  <regex offset="after_prematch">^user (\\S+) from (\\S+)</regex>
  <order>user, srcip</order>
</decoder>

<decoder name="app-logout">
  <parent>app</parent>
  <use_own_name>true</use_own_name>
  <prematch>logout</prematch>
  <regex offset="after_parent">^(\\w+) </regex>
  <order>action</order>
</decoder>

<decoder name="app-denied">
  <parent>app</parent>
  <prematch>denied</prematch>
  <regex>by (\\S+) to (\\S+):(\\d+) proto (\\w+) zone=(\\w+) (\\S+)$</regex>
  <order>srcuser, dstip, dstport, protocol, zone, data</order>
  <type>firewall</type>
</decoder>

<decoder name="app-catchall">
  <parent>app</parent>
  <regex>id=(\\d+)</regex>
  <order>id</order>
</decoder>

<decoder name="app-unreachable">
  <parent>app</parent>
  <prematch>unreachable</prematch>
  <regex>(\\w+)</regex>
  <order>extra_data</order>
</decoder>
`;
  const run = (msg: string) => buildEngine(decoders, '', { dialect }).processOne(syslogLine(`app: ${msg}`), 'stdin', 1);

  it('scans children in load order; the first whose prematch matches is chosen', () => {
    expect(summary(run('login user bob from 10.0.0.1'))).toMatchObject({ decoder: 'app', fields: { dstuser: 'bob', srcip: '10.0.0.1' } });
  });

  it('`user` in <order> is an alias of dstuser; spaces after commas are ignored', () => {
    expect(run('login user bob from 10.0.0.1').event.dstuser).toBe('bob');
    expect(run('login user bob from 10.0.0.1').event.srcuser).toBeUndefined();
  });

  it('prematch offset="after_parent" is tested against the text after the parent prematch', () => {
    // "login" appears, but not right after "app: ", so app-login is skipped.
    // app-logout/app-denied do not match either, so the catch-all decodes it (no id=, no fields).
    expect(summary(run('x login user bob from 10.0.0.1'))).toMatchObject({ decoder: 'app', fields: {} });
    expect(run('x login user bob from 10.0.0.1').event.dstuser).toBeUndefined();
  });

  it('a child name is replaced by its parent name unless use_own_name is set', () => {
    const r = run('logout now');
    expect(r.event.decoder).toMatchObject({ name: 'app-logout', parent: 'app' });
    expect(r.event.action).toBe('logout');
  });

  it('regex offset="after_parent" starts right after the parent prematch', () => {
    // the regex is anchored: it only matches because the subject starts after "app: "
    expect(run('logout now').event.fieldsObject()).toEqual({ action: 'logout' });
  });

  it('fills static fields in order and keeps unknown names as dynamic fields; protocol is `proto`, data is extra_data', () => {
    const r = run('denied by eve to 10.1.1.1:443 proto tcp zone=dmz blocked');
    expect(r.event.fieldsObject()).toEqual({ srcuser: 'eve', dstip: '10.1.1.1', dstport: '443', proto: 'tcp', zone: 'dmz', extra_data: 'blocked' });
    expect(r.event.dynamic).toEqual([['zone', 'dmz']]);
    expect(r.event.getField('zone')).toBe('dmz');
  });

  it('a child <type> overrides the parent category', () => {
    const r = run('denied by eve to 10.1.1.1:443 proto tcp zone=dmz blocked');
    expect(r.event.decoder).toMatchObject({ name: 'app', category: 'firewall' });
    expect(r.event.decoderCategory).toBe('firewall');
    expect(run('login user bob from 10.0.0.1').event.decoderCategory).toBe('syslog');
  });

  it('a child without prematch is chosen at once and stops the scan (later children are never tried)', () => {
    expect(summary(run('something id=42'))).toMatchObject({ decoder: 'app', fields: { id: '42' } });
    // app-unreachable would match, but the catch-all before it was chosen; its regex fails, so no fields.
    expect(summary(run('unreachable host'))).toMatchObject({ decoder: 'app', fields: {} });
  });
});

describe.each(BOTH)('sibling chains (%s)', (dialect) => {
  const decoders = `
<decoder name="svc"><program_name>^svc$</program_name></decoder>

<decoder name="svc-kv">
  <parent>svc</parent>
  <prematch>^conn </prematch>
  <regex offset="after_prematch">^user=(\\S+)</regex>
  <order>srcuser</order>
</decoder>
<decoder name="svc-kv">
  <parent>svc</parent>
  <regex offset="after_regex">^ ip=(\\S+)</regex>
  <order>srcip</order>
</decoder>
<decoder name="svc-kv">
  <parent>svc</parent>
  <regex offset="after_regex">^ port=(\\d+)</regex>
  <order>srcport</order>
</decoder>
<decoder name="svc-kv">
  <parent>svc</parent>
  <regex>status=(\\w+)</regex>
  <order>status</order>
</decoder>

<decoder name="svc-other">
  <parent>svc</parent>
  <prematch>^conn </prematch>
  <regex>(\\w+)$</regex>
  <order>extra_data</order>
</decoder>
`;
  const fields = (msg: string) => buildEngine(decoders, '', { dialect }).processOne(syslogLine(msg, 'svc'), 'stdin', 1).event.fieldsObject();

  it('runs every sibling regex in turn, each after_regex continuing where the previous match ended', () => {
    expect(fields('conn user=bob ip=10.0.0.9 port=22 status=ok')).toEqual({ srcuser: 'bob', srcip: '10.0.0.9', srcport: '22', status: 'ok' });
  });

  it('a non-last sibling whose regex fails is skipped; the chain goes on', () => {
    // no " ip=" right after the user: that sibling fails, the port one then starts after the user
    expect(fields('conn user=bob port=22 status=ok')).toEqual({ srcuser: 'bob', srcport: '22', status: 'ok' });
  });

  it('a failing last sibling ends decoding and keeps the fields already set', () => {
    expect(fields('conn user=bob ip=10.0.0.9 port=22 nothing')).toEqual({ srcuser: 'bob', srcip: '10.0.0.9', srcport: '22' });
  });

  it('the chain is one child: a later child with the same prematch is never reached', () => {
    expect(fields('conn user=bob ip=10.0.0.9 port=22 status=ok')).not.toHaveProperty('extra_data');
  });

  it('a failing prematch skips the whole chain and the scan goes on', () => {
    expect(fields('nothing to see')).toEqual({});
  });
});

describe('captures and fields', () => {
  it('missing captures leave fields unset and extra captures are dropped', () => {
    const decoders = `
<decoder name="a"><program_name>^a$</program_name><regex>^(\\w+) (\\w+)</regex><order>srcuser, dstuser, srcip</order></decoder>
<decoder name="b"><program_name>^b$</program_name><regex>^(\\w+) (\\w+) (\\w+)</regex><order>srcuser</order></decoder>
`;
    const engine = buildEngine(decoders, '');
    expect(engine.processOne(syslogLine('x y z', 'a'), 'stdin', 1).event.fieldsObject()).toEqual({ srcuser: 'x', dstuser: 'y' });
    expect(engine.processOne(syslogLine('x y z', 'b'), 'stdin', 1).event.fieldsObject()).toEqual({ srcuser: 'x' });
  });

  it('OSSEC 4.x PCRE2 decoders skip unset groups and keep empty ones', () => {
    const decoders = `
<decoder name="d">
  <program_name>^d$</program_name>
  <pcre2>^(?:user (\\w+)|group (\\w+)) tag=(\\S*)$</pcre2>
  <order>srcuser, extra_data, status</order>
</decoder>`;
    const engine = buildEngine(decoders, '', { dialect: 'ossec' });
    expect(engine.processOne(syslogLine('group adm tag=', 'd'), 'stdin', 1).event.fieldsObject()).toEqual({ srcuser: 'adm', extra_data: '' });
  });

  it('assignments are kept in order for logtest, and a second assignment to a field overwrites it', () => {
    const decoders = `
<decoder name="d"><program_name>^d$</program_name></decoder>
<decoder name="d-c"><parent>d</parent><regex>(\\S+) (\\S+)</regex><order>srcip, srcip</order></decoder>`;
    const r = buildEngine(decoders, '').processOne(syslogLine('1.1.1.1 2.2.2.2', 'd'), 'stdin', 1);
    expect(r.event.assignments).toEqual([['srcip', '1.1.1.1'], ['srcip', '2.2.2.2']]);
    expect(r.event.srcip).toBe('2.2.2.2');
  });
});

describe('decoder load errors', () => {
  it('a regex without <order> is an error at the decoder', () => {
    const [e, ...rest] = loadErrors('<decoder name="x">\n  <prematch>^x</prematch>\n  <regex>(\\d+)</regex>\n</decoder>', '');
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'MISSING_ELEMENT', file: 'test_decoders.xml', line: 1, column: 1 });
    expect(e!.message).toMatch(/regex but no <order>/);
  });

  it('an unknown parent is an error', () => {
    const [e] = loadErrors('<decoder name="top"><prematch>x</prematch></decoder>\n\n<decoder name="x">\n  <parent>nope</parent>\n</decoder>', '');
    expect(e).toMatchObject({ code: 'UNKNOWN_PARENT', line: 3, column: 1 });
  });

  it('a bad offset value is an error at the element that carries it', () => {
    const decoders = '<decoder name="p"><prematch>x</prematch></decoder>\n<decoder name="c">\n  <parent>p</parent>\n  <regex offset="after_everything">(x)</regex>\n  <order>id</order>\n</decoder>';
    const [e] = loadErrors(decoders, '');
    expect(e).toMatchObject({ code: 'BAD_VALUE', line: 4, column: 3 });
  });

  it('after_regex needs an earlier sibling, and prematch offset needs a parent', () => {
    const errs = loadErrors(
      '<decoder name="p"><prematch>x</prematch></decoder>\n' +
        '<decoder name="c"><parent>p</parent><regex offset="after_regex">(x)</regex><order>id</order></decoder>\n' +
        '<decoder name="t"><prematch offset="after_parent">x</prematch></decoder>',
      '',
    );
    expect(errs.map((e) => [e.code, e.line])).toEqual([
      ['BAD_VALUE', 2],
      ['BAD_VALUE', 3],
    ]);
  });

  it('a top-level decoder needs a prematch or a program name; an invalid regex and an unknown element are errors', () => {
    const errs = loadErrors(
      '<decoder name="a"><regex>(x)</regex><order>id</order></decoder>\n' +
        '<decoder name="b"><prematch>x\\-y</prematch></decoder>\n' +
        '<decoder name="c"><prematch>x</prematch><colour>red</colour></decoder>',
      '',
    );
    expect(errs.map((e) => [e.code, e.line])).toEqual([
      ['MISSING_ELEMENT', 1],
      ['BAD_REGEX', 2],
      ['UNKNOWN_ELEMENT', 3],
    ]);
  });
});
