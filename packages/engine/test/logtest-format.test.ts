// The logtest view (spec §8, §11.6): the three phases as ossec-logtest and wazuh-logtest print
// them, and the JSON line used by the fixtures and the oracle comparison.
import { describe, expect, it } from 'vitest';
import type { Dialect, Engine } from '../src/index.js';
import { formatLogtest, logtestJson } from '../src/index.js';
import { buildEngine } from './helpers.js';

const DECODERS = `
<decoder name="sshd"><program_name>^sshd</program_name></decoder>
<decoder name="sshd-failed">
  <parent>sshd</parent>
  <prematch>^Failed \\S+ </prematch>
  <regex offset="after_prematch">^for (\\S+) from (\\S+) port (\\d+)</regex>
  <order>user, srcip, srcport</order>
</decoder>
<decoder name="noise"><program_name>^noise$</program_name></decoder>
`;
const RULES = `<group name="sshd,">
  <rule id="5700" level="0" noalert="1"><decoded_as>sshd</decoded_as><description>sshd messages</description></rule>
  <rule id="5716" level="5">
    <if_sid>5700</if_sid>
    <match>^Failed</match>
    <description>sshd: authentication failed for $(dstuser).</description>
    <info type="link">https://example.org/sshd</info>
    <info>brute force precursor</info>
    <group>authentication_failed,</group>
  </rule>
  <rule id="5717" level="0"><if_sid>5700</if_sid><match>^Connection closed</match><description>ignored</description></rule>
</group>
`;
const FAILED = 'Dec 29 10:00:01 web sshd[123]: Failed password for root from 203.0.113.9 port 4242 ssh2';
const engineFor = (dialect: Dialect): Engine => buildEngine(DECODERS, RULES, { dialect });
const text = (dialect: Dialect, line: string) => formatLogtest(engineFor(dialect).processOne(line, 'stdin', 1), dialect);

describe('ossec-logtest text', () => {
  it('prints the three phases, the fields in assignment order before the decoder, and the alert line', () => {
    expect(text('ossec', FAILED)).toBe(
      [
        '**Phase 1: Completed pre-decoding.',
        `       full event: '${FAILED}'`,
        "       hostname: 'web'",
        "       program_name: 'sshd'",
        "       log: 'Failed password for root from 203.0.113.9 port 4242 ssh2'",
        '',
        '**Phase 2: Completed decoding.',
        "       dstuser: 'root'",
        "       srcip: '203.0.113.9'",
        "       srcport: '4242'",
        "       decoder: 'sshd'",
        '',
        '**Phase 3: Completed filtering (rules).',
        "       Rule id: '5716'",
        "       Level: '5'",
        "       Description: 'sshd: authentication failed for $(dstuser).'",
        "       Info - Link: 'https://example.org/sshd'",
        "       Info - Text: 'brute force precursor'",
        '**Alert to be generated.',
        '',
      ].join('\n'),
    );
  });

  it('prints (null) for a missing program name and decoder, and no Phase 3 without a rule', () => {
    expect(text('ossec', 'a headerless line')).toBe(
      [
        '**Phase 1: Completed pre-decoding.',
        "       full event: 'a headerless line'",
        "       hostname: ''",
        "       program_name: '(null)'",
        "       log: 'a headerless line'",
        '',
        '**Phase 2: Completed decoding.',
        '       No decoder matched.',
        "       decoder: '(null)'",
        '',
      ].join('\n'),
    );
  });

  it('prints Phase 3 for a level-0 rule but no alert line', () => {
    const out = text('ossec', 'Dec 29 10:00:01 web sshd[9]: Connection closed by 10.0.0.1');
    expect(out).toContain("       Rule id: '5717'\n       Level: '0'\n       Description: 'ignored'\n");
    expect(out).not.toContain('**Alert to be generated.');
  });
});

describe('wazuh-logtest text', () => {
  it('prints the predecoder keys, the decoder with its fields sorted, and the rule with groups and firedtimes', () => {
    const out = text('wazuh', FAILED);
    expect(out).toContain(
      [
        '**Phase 1: Completed pre-decoding.',
        `\tfull event: '${FAILED}'`,
        "\ttimestamp: 'Dec 29 10:00:01'",
        "\thostname: 'web'",
        "\tprogram_name: 'sshd'",
        '',
        '**Phase 2: Completed decoding.',
        "\tname: 'sshd'",
      ].join('\n'),
    );
    expect(out).toContain(["\tdstuser: 'root'", "\tsrcip: '203.0.113.9'", "\tsrcport: '4242'", ''].join('\n'));
    expect(out).toContain(
      [
        '**Phase 3: Completed filtering (rules).',
        "\tid: '5716'",
        "\tlevel: '5'",
        "\tdescription: 'sshd: authentication failed for root.'",
        "\tgroups: '['sshd', 'authentication_failed']'",
        "\tfiredtimes: '1'",
        '**Alert to be generated.',
        '',
      ].join('\n'),
    );
  });

  it('counts firedtimes across events of one engine', () => {
    const e = engineFor('wazuh');
    e.processOne(FAILED, 'stdin', 1);
    expect(formatLogtest(e.processOne(FAILED, 'stdin', 2), 'wazuh')).toContain("\tfiredtimes: '2'");
  });

  it('prints only "No decoder matched." when nothing decodes the event', () => {
    expect(text('wazuh', 'a headerless line')).toBe(
      ['**Phase 1: Completed pre-decoding.', "\tfull event: 'a headerless line'", '', '**Phase 2: Completed decoding.', '\tNo decoder matched.', ''].join('\n'),
    );
  });

  it('prints a decoder without a parent by name only', () => {
    const out = text('wazuh', 'Dec 29 10:00:01 web noise[1]: hello');
    expect(out).toContain("**Phase 2: Completed decoding.\n\tname: 'noise'\n");
    expect(out).not.toContain('parent:');
  });

  // Spec §8 lists `name` then `parent` for Phase 2, and wazuh-logtest prints `parent: 'sshd'` under
  // `name: 'sshd'` for every sshd child decoder; formatLogtest leaves it out when they are equal.
  it('prints the parent decoder of a child decoder, even when the names are the same', () => {
    expect(text('wazuh', FAILED)).toContain("\tname: 'sshd'\n\tparent: 'sshd'\n");
  });
});

describe('logtest JSON', () => {
  it('has the oracle keys, with fields by logtest label', () => {
    const r = engineFor('ossec').processOne(FAILED, 'stdin', 1);
    expect(logtestJson(3, r)).toEqual({
      line: 3,
      hostname: 'web',
      program_name: 'sshd',
      decoder: 'sshd',
      fields: { dstuser: 'root', srcip: '203.0.113.9', srcport: '4242' },
      rule_id: 5716,
      level: 5,
      alert: true,
      groups: ['sshd', 'authentication_failed'],
      description: 'sshd: authentication failed for $(dstuser).',
    });
  });

  it('reports a level-0 rule with alert false, and nulls when nothing matched', () => {
    const e = engineFor('wazuh');
    expect(logtestJson(1, e.processOne('Dec 29 10:00:01 web sshd[9]: Connection closed by x', 'stdin', 1))).toMatchObject({ rule_id: 5717, level: 0, alert: false });
    expect(logtestJson(2, e.processOne('headerless', 'stdin', 1))).toMatchObject({
      line: 2,
      hostname: null,
      program_name: null,
      decoder: null,
      fields: {},
      rule_id: null,
      level: null,
      alert: false,
      groups: null,
    });
  });
});
