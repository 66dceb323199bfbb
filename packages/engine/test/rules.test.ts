// Rule tests and rule loading (spec §5.1, §5.5, §11.7): field tests, IP lists, user, time and
// weekday, maxsize, variables, descriptions, and load errors that carry their location.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRuleset, ipListMatches, parseIpEntry, RulesetLoadError } from '../src/index.js';
import { APP_BASE_RULE, alertId, buildEngine, loadErrors, ROOT_RULES, syslogLine } from './helpers.js';

// `only su=X` fills srcuser alone; any other message goes to the catch-all `app-kv`, which fills
// the usual fields from "k=v" pairs in a fixed order.
const KV_DECODER = `
<decoder name="app"><program_name>^app$</program_name></decoder>
<decoder name="app-src">
  <parent>app</parent>
  <prematch>^only </prematch>
  <regex>su=(\\S+)</regex>
  <order>srcuser</order>
</decoder>
<decoder name="app-kv">
  <parent>app</parent>
  <regex>src=(\\S+) dst=(\\S+) du=(\\S*) su=(\\S+) kind=(\\S+)</regex>
  <order>srcip, dstip, dstuser, srcuser, kind</order>
</decoder>
`;
function kv(fields: { src?: string; dst?: string; du?: string; su?: string; kind?: string }, rest = ''): string {
  const f = { src: '192.0.2.1', dst: '198.51.100.1', du: 'alice', su: 'bob', kind: 'k', ...fields };
  return syslogLine(`src=${f.src} dst=${f.dst} du=${f.du} su=${f.su} kind=${f.kind} ${rest}`);
}
const rulesWith = (body: string) => `${APP_BASE_RULE}<group name="t,">\n${body}\n</group>\n`;

describe('IP lists', () => {
  it('parses addresses, CIDR, dotted netmasks, any and negation', () => {
    expect(parseIpEntry('10.0.0.0/8')).toMatchObject({ negated: false, any: false });
    expect(parseIpEntry('!any')).toMatchObject({ negated: true, any: true });
    expect(() => parseIpEntry('10.0.0.0/33')).toThrow();
    expect(() => parseIpEntry('10.0.0.0/255.0.255.0')).toThrow(/netmask/);
    expect(() => parseIpEntry('not-an-ip')).toThrow();
  });

  it('a list answers as OS_IPFoundList: the first `!` flips the default for good', () => {
    const list = ['!10.0.0.0/8', '10.1.0.0/16'].map(parseIpEntry);
    expect(ipListMatches(list, '10.1.2.3')).toBe(false); // first entry containing it was in "negated" mode
    expect(ipListMatches(list, '10.2.0.1')).toBe(false);
    expect(ipListMatches(list, '8.8.8.8')).toBe(true);
    const plain = ['10.0.0.0/8', '192.168.0.0/255.255.0.0'].map(parseIpEntry);
    expect(ipListMatches(plain, '192.168.44.1')).toBe(true);
    expect(ipListMatches(plain, '172.16.0.1')).toBe(false);
    expect(ipListMatches(plain, 'not-an-ip')).toBe(false);
    expect(ipListMatches(plain, '::ffff:10.9.9.9')).toBe(true);
  });

  it('srcip/dstip rule tests: CIDR, netmask, negation, any, IPv6', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith(`
  <rule id="201" level="9"><if_sid>100</if_sid><srcip>10.0.0.0/8</srcip><description>ten</description></rule>
  <rule id="202" level="8"><if_sid>100</if_sid><srcip>192.168.1.0/255.255.255.0</srcip><description>mask</description></rule>
  <rule id="203" level="7"><if_sid>100</if_sid><srcip>2001:db8::/32</srcip><description>v6</description></rule>
  <rule id="204" level="6"><if_sid>100</if_sid><dstip>!198.51.100.0/24</dstip><description>dst outside</description></rule>
  <rule id="205" level="5"><if_sid>100</if_sid><srcip>any</srcip><description>any source</description></rule>`),
    );
    expect(alertId(engine, kv({ src: '10.20.30.40' }))).toBe(201);
    expect(alertId(engine, kv({ src: '192.168.1.77' }))).toBe(202);
    expect(alertId(engine, kv({ src: '192.168.2.77' }))).toBe(205);
    expect(alertId(engine, kv({ src: '2001:db8:1::5' }))).toBe(203);
    expect(alertId(engine, kv({ dst: '203.0.113.9' }))).toBe(204);
    // a value that is not an IP fails every IP test, including `any`
    expect(alertId(engine, kv({ src: 'hostname', dst: '198.51.100.2' }))).toBeNull();
    // a missing field fails the test
    expect(alertId(engine, syslogLine('only su=eve'))).toBeNull();
  });

  it('an invalid list entry is a load error at the element', () => {
    const [e] = loadErrors(KV_DECODER, rulesWith('  <rule id="201" level="3">\n    <if_sid>100</if_sid>\n    <srcip>10.0.0.300</srcip>\n    <description>x</description>\n  </rule>'));
    expect(e).toMatchObject({ code: 'BAD_VALUE', file: 'test_rules.xml' });
    expect(e!.message).toMatch(/srcip/);
  });
});

describe('field tests', () => {
  const engine = () =>
    buildEngine(
      KV_DECODER,
      rulesWith(`
  <rule id="210" level="9"><if_sid>100</if_sid><user>^root$</user><description>root user</description></rule>
  <rule id="211" level="8"><if_sid>100</if_sid><field name="kind">^sql\\d+</field><description>dynamic field</description></rule>
  <rule id="212" level="7"><if_sid>100</if_sid><hostname>^db</hostname><description>hostname</description></rule>
  <rule id="213" level="6"><if_sid>100</if_sid><program_name>^app$</program_name><match>prog</match><description>program</description></rule>`),
    );

  it('<user> tests dstuser, and srcuser only when dstuser is unset', () => {
    expect(alertId(engine(), kv({ du: 'ROOT' }))).toBe(210);
    expect(alertId(engine(), kv({ du: 'alice', su: 'root' }))).toBeNull();
    expect(alertId(engine(), syslogLine('only su=root'))).toBe(210);
  });

  it('<field name> tests a dynamic field with OS_Regex', () => {
    expect(alertId(engine(), kv({ kind: 'SQL42' }))).toBe(211);
    expect(alertId(engine(), kv({ kind: 'nosql42' }))).toBeNull();
    // the field is absent for this decoder: the test fails
    expect(alertId(engine(), syslogLine('only su=x sql1'))).toBeNull();
  });

  it('<hostname> and <program_name> test the predecoded values', () => {
    expect(alertId(engine(), syslogLine('only su=x', 'app', 'db01'))).toBe(212);
    expect(alertId(engine(), syslogLine('only su=x prog'))).toBe(213);
  });
});

describe('match/regex variants', () => {
  it('Wazuh: negate="yes" inverts <match>; type="pcre2" makes <regex> a case-sensitive PCRE2', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith(`
  <rule id="220" level="9"><if_sid>100</if_sid><match negate="yes">kind=</match><description>no kind</description></rule>
  <rule id="221" level="8"><if_sid>100</if_sid><regex type="pcre2">\\bsu=[a-z]+\\d{2}\\b</regex><description>pcre2</description></rule>`),
    );
    expect(alertId(engine, syslogLine('only su=x'))).toBe(220);
    expect(alertId(engine, kv({ su: 'bob12' }))).toBe(221);
    expect(alertId(engine, kv({ su: 'BOB12' }))).toBeNull();
  });

  it('OSSEC 4.x: <pcre2> is caseless, and a classic <match> wins over <match_pcre2>', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith(`
  <rule id="230" level="9"><if_sid>100</if_sid><pcre2>su=bob\\d+</pcre2><description>pcre2</description></rule>
  <rule id="231" level="8"><if_sid>100</if_sid><match>classic</match><match_pcre2>^never$</match_pcre2><description>both</description></rule>`),
      { dialect: 'ossec' },
    );
    expect(alertId(engine, kv({ su: 'BOB7' }))).toBe(230);
    expect(alertId(engine, kv({ su: 'x' }, 'classic'))).toBe(231);
  });

  it('repeated <match> elements are concatenated verbatim (a trailing `|` makes an empty alternative)', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith('  <rule id="240" level="3"><if_sid>100</if_sid><match>foo|</match><match>bar</match><description>foo or bar</description></rule>'),
    );
    expect(alertId(engine, kv({}, 'bar'))).toBe(240);
    expect(alertId(engine, kv({}, 'foo'))).toBe(240);
    expect(alertId(engine, kv({}, 'baz'))).toBeNull();
  });
});

describe('maxsize, time and weekday', () => {
  let tz: string | undefined;
  beforeAll(() => {
    // <time> and <weekday> read the host's local time, as analysisd does; pin it for the test.
    tz = process.env.TZ;
    process.env.TZ = 'UTC';
  });
  afterAll(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });
  const at = (y: number, mo: number, d: number, h: number, mi = 0) => Date.UTC(y, mo - 1, d, h, mi) / 1000;
  const engine = () =>
    buildEngine(
      '<decoder name="app"><program_name>^app$</program_name></decoder>',
      rulesWith(`
  <rule id="250" level="9" maxsize="40"><if_sid>100</if_sid><description>long message</description></rule>
  <rule id="251" level="8"><if_sid>100</if_sid><match>office</match><time>9 am - 5:30 pm</time><description>office hours</description></rule>
  <rule id="252" level="8"><if_sid>100</if_sid><match>night</match><time>10pm - 6am</time><description>wraps midnight</description></rule>
  <rule id="253" level="8"><if_sid>100</if_sid><match>outside</match><time>!9:00-17:00</time><description>negated</description></rule>
  <rule id="254" level="7"><if_sid>100</if_sid><match>weekend</match><weekday>weekends</weekday><description>weekend</description></rule>
  <rule id="255" level="7"><if_sid>100</if_sid><match>midweek</match><weekday>tuesday, wed</weekday><description>tue/wed</description></rule>`),
    );

  it('maxsize passes when the message (after the header) is at least that long', () => {
    expect(alertId(engine(), syslogLine('x'.repeat(40)))).toBe(250);
    expect(alertId(engine(), syslogLine('x'.repeat(39)))).toBeNull();
  });

  // Spec §11.3: maxsize compares strlen(log), a byte count. 24 two-byte characters are 48 bytes,
  // so the rule should pass; the engine compares UTF-16 units (24) instead.
  it('maxsize counts bytes of the message, not characters', () => {
    expect(alertId(engine(), syslogLine('\u00e9'.repeat(24)))).toBe(250);
  });

  it('<time> ranges, including one that wraps midnight and a negated one', () => {
    const mon = (h: number, mi = 0) => at(2024, 1, 8, h, mi);
    expect(alertId(engine(), syslogLine('office'), mon(10))).toBe(251);
    expect(alertId(engine(), syslogLine('office'), mon(17, 45))).toBeNull();
    expect(alertId(engine(), syslogLine('office'), mon(8, 59))).toBeNull();
    expect(alertId(engine(), syslogLine('night'), mon(23))).toBe(252);
    expect(alertId(engine(), syslogLine('night'), mon(3))).toBe(252);
    expect(alertId(engine(), syslogLine('night'), mon(12))).toBeNull();
    expect(alertId(engine(), syslogLine('outside'), mon(20))).toBe(253);
    expect(alertId(engine(), syslogLine('outside'), mon(12))).toBeNull();
  });

  it('<weekday> lists and the weekends/weekdays words', () => {
    expect(alertId(engine(), syslogLine('weekend'), at(2024, 1, 6, 12))).toBe(254); // Saturday
    expect(alertId(engine(), syslogLine('weekend'), at(2024, 1, 8, 12))).toBeNull(); // Monday
    expect(alertId(engine(), syslogLine('midweek'), at(2024, 1, 9, 12))).toBe(255); // Tuesday
    expect(alertId(engine(), syslogLine('midweek'), at(2024, 1, 11, 12))).toBeNull(); // Thursday
  });
});

describe('variables and descriptions', () => {
  it('substitutes $VAR in element text and attributes; $(...) is left for the description', () => {
    const engine = buildEngine(
      KV_DECODER,
      `<var name="BAD_WORDS">denied|refused</var>
<var name="HIGH">11</var>
${rulesWith('  <rule id="260" level="$HIGH"><if_sid>100</if_sid><match>$BAD_WORDS</match><description>bad word from $(srcip) by $(dstuser) kind $(kind) on $(hostname) $(missing)end</description></rule>')}`,
    );
    const r = engine.processOne(kv({ src: '10.0.0.1', kind: 'ssh' }, 'refused'), 'stdin', 1);
    expect(r.alertRule?.id).toBe(260);
    expect(r.alertRule?.level).toBe(11);
    expect(r.description).toBe('bad word from 10.0.0.1 by alice kind ssh on host1 end');
  });

  it('OSSEC does not substitute $(field) in descriptions', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith('  <rule id="261" level="3"><if_sid>100</if_sid><description>from $(srcip)</description></rule>'),
      { dialect: 'ossec' },
    );
    expect(engine.processOne(kv({}), 'stdin', 1).description).toBe('from $(srcip)');
  });

  it('concatenates repeated descriptions and turns the first newline into a space', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith('  <rule id="262" level="3"><if_sid>100</if_sid><description>one\ntwo</description><description>, three</description></rule>'),
    );
    expect(engine.processOne(kv({}), 'stdin', 1).description).toBe('one two, three');
  });

  it('an unknown variable is a load error at the element that uses it', () => {
    const [e] = loadErrors(KV_DECODER, rulesWith('  <rule id="263" level="3">\n    <if_sid>100</if_sid>\n    <match>$NOPE</match>\n    <description>x</description>\n  </rule>'));
    expect(e).toMatchObject({ code: 'UNKNOWN_VARIABLE', line: 16, column: 5 });
    expect(e!.message).toContain('$NOPE');
  });
});

describe('rule ids, overwrite and load errors', () => {
  it('overwrite="yes" replaces a rule in place: new tests and level, same position', () => {
    const engine = buildEngine(
      KV_DECODER,
      rulesWith(`
  <rule id="270" level="3"><if_sid>100</if_sid><match>old</match><description>old</description></rule>
  <rule id="271" level="4"><if_sid>100</if_sid><match>both</match><description>other</description></rule>
  <rule id="270" level="9" overwrite="yes"><if_sid>100</if_sid><match>new</match><description>new</description></rule>`),
    );
    expect(alertId(engine, kv({}, 'old'))).toBeNull();
    expect(alertId(engine, kv({}, 'new'))).toBe(270);
    expect(engine.ruleset.tree.byId.get(270)!.level).toBe(9);
    // it kept its place after 271 (inserted when it was level 3)
    expect(alertId(engine, kv({}, 'new both'))).toBe(271);
  });

  it('collects every error of a ruleset, each with file, line and column, and loads nothing', () => {
    const decoders = '<decoder name="app"><program_name>^app$</program_name></decoder>\n<decoder name="bad"><parent>ghost</parent></decoder>\n';
    const rules = `<group name="g,">
  <rule id="300" level="3">
    <if_sid>999</if_sid>
    <description>missing parent</description>
  </rule>
  <rule id="301" level="3"><decoded_as>nosuch</decoded_as><description>unknown decoder</description></rule>
  <rule id="302" level="3"><if_sid>1</if_sid><description>ok</description></rule>
  <rule id="302" level="4"><if_sid>1</if_sid><description>duplicate</description></rule>
  <rule id="303" level="3"><if_sid>1</if_sid><regex>a\\/b</regex><description>bad escape</description></rule>
  <rule id="304" level="3" frequency="4"><if_sid>1</if_sid><description>frequency alone</description></rule>
  <rule id="305" level="3"><if_sid>1</if_sid><colour>red</colour><description>unknown element</description></rule>
  <rule id="306" level="99"><if_sid>1</if_sid><description>bad level</description></rule>
</group>
`;
    let thrown: unknown;
    try {
      compileRuleset(
        { decoders: [{ path: 'dec.xml', text: decoders }], rules: [{ path: 'root.xml', text: ROOT_RULES }, { path: 'local.xml', text: rules }] },
        { dialect: 'wazuh' },
      );
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RulesetLoadError);
    const errors = (thrown as RulesetLoadError).errors;
    expect(errors.map((e) => [e.code, e.file, e.line, e.column])).toEqual([
      ['UNKNOWN_PARENT', 'dec.xml', 2, 1],
      ['UNKNOWN_PARENT', 'local.xml', 2, 3],
      ['UNKNOWN_DECODER', 'local.xml', 6, 3],
      ['DUPLICATE_ID', 'local.xml', 8, 3],
      ['BAD_REGEX', 'local.xml', 9, 46],
      ['MISSING_ELEMENT', 'local.xml', 10, 3],
      ['UNKNOWN_ELEMENT', 'local.xml', 11, 46],
      ['BAD_VALUE', 'local.xml', 12, 18],
    ]);
    expect((thrown as RulesetLoadError).message).toContain('local.xml:8:3: rule id 302 is already defined at local.xml:7');
  });

  it('an XML syntax error in one file is reported with the errors of the other files', () => {
    let thrown: unknown;
    try {
      compileRuleset(
        { decoders: [{ path: 'dec.xml', text: '<decoder name="a">\n<prematch>x</prematch>\n' }], rules: [{ path: 'r.xml', text: '<group name="g,"><rule id="5" level="1"><description>x</description><bogus/></rule></group>' }] },
        { dialect: 'ossec' },
      );
    } catch (e) {
      thrown = e;
    }
    expect((thrown as RulesetLoadError).errors.map((e) => [e.code, e.file])).toEqual([
      ['XML_SYNTAX', 'dec.xml'],
      ['UNKNOWN_ELEMENT', 'r.xml'],
    ]);
  });
});
