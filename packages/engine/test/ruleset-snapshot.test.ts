// A ruleset snapshot (what the start-up cache stores) must rebuild exactly the ruleset it was taken
// of: the same rules, decoders, tree, tests and warnings, objects of the same shape, and the same
// answer for every line. Checked on the stock OSSEC 4.2 and Wazuh 4.14 rulesets and on ours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompiledRuleset, Dialect, RulesetInput } from '../src/index.js';
import { Engine, SNAPSHOT_FORMAT, compileRuleset, logtestJson, regexStats, restoreRuleset, serializeRuleset } from '../src/index.js';
import { ruleTests } from '../src/rule-recipes.js';
import { ossecHome, shared, shipped, wazuhRuleset } from './stock-rulesets.js';

const lines = ['seed-scenario.log', 'loghub-openssh-2k.log', 'auth-100k.log']
  .flatMap((f) => readFileSync(join(shared, 'corpus', f), 'utf8').split('\n').slice(0, 3000))
  .filter((l) => l !== '');

function answers(rs: CompiledRuleset, dialect: Dialect): string[] {
  const engine = new Engine(rs, { dialect, localHostname: 'here' });
  return lines.map((l, i) => JSON.stringify(engine.processLine(l, '/var/log/auth.log', 1_700_000_000 + i).map((r) => logtestJson(i + 1, r))));
}

describe.each([
  ['the OSSEC 4.2 home', ossecHome, 'ossec'],
  ['the Wazuh 4.14 ruleset', wazuhRuleset, 'wazuh'],
  ['the shipped rules', shipped, 'wazuh'],
] as const)('a snapshot of %s', (_name, input, dialect) => {
  const files = input();
  const compiled = compileRuleset(files, { dialect });
  const json = serializeRuleset(compiled);
  it('restores the same rules, decoders, tree and warnings', () => {
    expect(json).not.toBeNull();
    const back = restoreRuleset(json!, files, dialect);
    // Everything the snapshot holds, taken again from the restored ruleset, is the same.
    expect(serializeRuleset(back)).toBe(json);
    expect(back.warnings.map(String)).toEqual(compiled.warnings.map(String));
    expect(back.tree.all.length).toBe(compiled.tree.all.length);
    expect([...back.tree.byId.keys()]).toEqual([...compiled.tree.byId.keys()]);
    compiled.tree.all.forEach((r, i) => {
      const b = back.tree.all[i]!;
      expect(Object.keys(b)).toEqual(Object.keys(r));
      expect(ruleTests(b).map(String)).toEqual(r.tests.map(String));
      expect(b.programNameTest === null).toBe(r.programNameTest === null);
    });
    compiled.decoders.all.forEach((d, i) => expect(Object.keys(back.decoders.all[i]!)).toEqual(Object.keys(d)));
  });
  it('written with its input, holds the source texts of rules as places in it, and restores the same', () => {
    const withInput = serializeRuleset(compiled, files)!;
    expect(withInput.length).toBeLessThan(json!.length);
    const back = restoreRuleset(withInput, files, dialect);
    expect(serializeRuleset(back)).toBe(json);
    expect(serializeRuleset(back, files)).toBe(withInput);
  });
  it('gives the same answer for every line', () => {
    const back = restoreRuleset(json!, files, dialect);
    expect(answers(back, dialect)).toEqual(answers(compileRuleset(files, { dialect }), dialect));
  });
});

describe('patterns of a restored snapshot', () => {
  const RULES = `<group name="syslog,">
  <rule id="1" level="0" noalert="1"><category>syslog</category><description>root</description></rule>
  <rule id="100" level="5"><if_sid>1</if_sid><pcre2>Failed password</pcre2><description>plain</description></rule>
  <rule id="101" level="5"><if_sid>1</if_sid><pcre2>(a+)+$</pcre2><description>needs RE2</description></rule>
</group>
`;
  const files: RulesetInput = { decoders: [{ path: '/x/d.xml', text: '<decoder name="any"><prematch>^</prematch></decoder>' }], rules: [{ path: '/x/r.xml', text: RULES }] };
  const json = serializeRuleset(compileRuleset(files, { dialect: 'ossec' }))!;

  it('are compiled on first use, those that run on RE2 too', () => {
    const v8 = regexStats.v8;
    const re2 = regexStats.re2;
    const back = restoreRuleset(json, files, 'ossec');
    expect(regexStats.v8 - v8).toBe(0);
    expect(regexStats.re2 - re2).toBe(0);
    const engine = new Engine(back, { dialect: 'ossec', localHostname: 'here' });
    const [r] = engine.processLine('Failed password for root', '/var/log/auth.log', 1_700_000_000);
    expect(r?.rule?.id).toBe(100);
    expect(regexStats.v8 - v8).toBeGreaterThan(0);
    engine.processLine('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', '/var/log/auth.log', 1_700_000_001);
    expect(regexStats.re2 - re2).toBe(1);
  });
  it('that ran on RE2 are restored only where the same RE2 is found', () => {
    const [core, tests] = splitSnapshot(json);
    expect(core.re2).toMatch(/^\d+\./);
    expect(() => restoreRuleset(joinSnapshot({ ...core, re2: '0.0.0-other' }, tests), files, 'ossec')).toThrow(/RE2 0\.0\.0-other/);
  });
  it('has its rules\' tests built when the rule is first visited', () => {
    const back = restoreRuleset(json, files, 'ossec');
    const r101 = back.tree.byId.get(101)!;
    expect(() => r101.tests[0]!({} as never)).toThrow(/before its tests were built/);
    new Engine(back, { dialect: 'ossec', localHostname: 'here' }).processLine('Failed password for root', '/var/log/auth.log', 1_700_000_000);
    expect(r101.tests).toHaveLength(1);
    expect(r101.tests[0]!.length).toBe(1);
    expect(ruleTests(r101)).toBe(r101.tests);
  });
});

interface SnapshotJson {
  format: number;
  re2?: string;
  rules: { fields: Record<string, unknown>; tests?: [number, number] }[];
}

/** A snapshot's JSON part, parsed, and its tests text. */
function splitSnapshot(json: string): [SnapshotJson, string] {
  const nl = json.indexOf('\n');
  return [JSON.parse(json.slice(0, nl)), json.slice(nl + 1)];
}

function joinSnapshot(core: object, tests: string): string {
  return `${JSON.stringify(core)}\n${tests}`;
}

describe('a snapshot that does not fit', () => {
  const files = shipped();
  const json = serializeRuleset(compileRuleset(files, { dialect: 'wazuh' }))!;
  it('is refused for another dialect', () => {
    expect(() => restoreRuleset(json, files, 'ossec')).toThrow(/dialect wazuh, expected ossec/);
  });
  it('is refused in another format', () => {
    const [core, tests] = splitSnapshot(json);
    const other = joinSnapshot({ ...core, format: SNAPSHOT_FORMAT + 1 }, tests);
    expect(() => restoreRuleset(other, files, 'wazuh')).toThrow(/format/);
  });
  it('is refused when it names a field rules do not have', () => {
    const [snap, tests] = splitSnapshot(json);
    snap.rules[0]!.fields.notAField = 1;
    expect(() => restoreRuleset(joinSnapshot(snap, tests), files, 'wazuh')).toThrow(/unknown field notAField/);
  });
  it('is refused when a rule\'s tests lie outside its tests text', () => {
    const [snap, tests] = splitSnapshot(json);
    const i = snap.rules.findIndex((r) => r.tests);
    snap.rules[i]!.tests = [tests.length - 2, 10];
    expect(() => restoreRuleset(joinSnapshot(snap, tests), files, 'wazuh')).toThrow(/tests are not in it/);
  });
  it('is not taken of a ruleset an engine has used', () => {
    const rs = compileRuleset(files, { dialect: 'wazuh' });
    const engine = new Engine(rs, { dialect: 'wazuh' });
    for (const l of lines.slice(0, 200)) engine.processLine(l, '/var/log/auth.log', 1_700_000_000);
    expect(serializeRuleset(rs)).toBeNull();
  });
});
