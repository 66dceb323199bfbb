// The compiled-ruleset cache (config/ruleset-cache.ts): a second start with the same files restores
// the ruleset from the snapshot the first one wrote; a changed file, a corrupt or truncated
// snapshot, or a cache directory that cannot be written all mean a compile, with every error
// reported where and as a compile reports it.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RulesetLoadError, compileRuleset, serializeRuleset, type RulesetInput } from '@portcullis/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOssecConfig } from '../../src/config/ossec-config.js';
import { compileRulesetCached, loadRulesetCached } from '../../src/config/ruleset-cache.js';
import { rulesetFiles, rulesetStats, shippedRulesetFiles } from '../../src/config/ruleset-files.js';
import { loadContext } from '../../src/cli/context.js';

const RULES = `<group name="syslog,">
  <rule id="1" level="0" noalert="1"><category>syslog</category><description>root</description></rule>
  <rule id="100" level="5"><if_sid>1</if_sid><match>Failed password</match><description>a failure</description></rule>
</group>
`;
const DECODERS = `<decoder name="sshd"><program_name>^sshd</program_name></decoder>\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const input = (rules = RULES): RulesetInput => ({ decoders: [{ path: '/x/decoders.xml', text: DECODERS }], rules: [{ path: '/x/rules.xml', text: rules }] });
const snapshots = (): string[] => readdirSync(dir).filter((n) => n.endsWith('.json'));

describe('compiled-ruleset cache', () => {
  it('restores the shipped ruleset on the second start, the same as a compile', () => {
    const files = shippedRulesetFiles();
    const first = compileRulesetCached(files, { dialect: 'wazuh' }, dir);
    expect(first.cache).toBe('miss');
    expect(snapshots()).toHaveLength(1);
    const second = compileRulesetCached(files, { dialect: 'wazuh' }, dir);
    expect(second.cache).toBe('hit');
    expect(second.ruleset).not.toBe(first.ruleset);
    expect(serializeRuleset(second.ruleset)).toBe(serializeRuleset(compileRuleset(files, { dialect: 'wazuh' })));
  });

  it('compiles again when a file or the dialect changes', () => {
    expect(compileRulesetCached(input(), { dialect: 'wazuh' }, dir).cache).toBe('miss');
    expect(compileRulesetCached(input(RULES.replace('a failure', 'a failed login')), { dialect: 'wazuh' }, dir).cache).toBe('miss');
    expect(compileRulesetCached(input(), { dialect: 'ossec' }, dir).cache).toBe('miss');
    expect(compileRulesetCached(input(), { dialect: 'wazuh' }, dir).cache).toBe('hit');
    expect(snapshots()).toHaveLength(3);
  });

  it('reports a broken file exactly as a compile does, and stores nothing for it', () => {
    compileRulesetCached(input(), { dialect: 'wazuh' }, dir);
    const broken = input(RULES.replace('<if_sid>1</if_sid>', '<if_sid>7</if_sid>'));
    const viaCache = (() => {
      try {
        compileRulesetCached(broken, { dialect: 'wazuh' }, dir);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(viaCache).toBeInstanceOf(RulesetLoadError);
    expect(() => compileRuleset(broken, { dialect: 'wazuh' })).toThrow(RulesetLoadError);
    const direct = (() => {
      try {
        compileRuleset(broken, { dialect: 'wazuh' });
      } catch (e) {
        return e as RulesetLoadError;
      }
      return null;
    })();
    expect((viaCache as RulesetLoadError).errors.map(String)).toEqual(direct!.errors.map(String));
    expect((viaCache as RulesetLoadError).errors.map(String)).toEqual(["/x/rules.xml:3:3: rule 100: <if_sid> names rule 7, not defined before it"]);
    expect(snapshots()).toHaveLength(1);
  });

  it('ignores a corrupt, truncated or foreign snapshot and writes a good one', () => {
    compileRulesetCached(input(), { dialect: 'wazuh' }, dir);
    const file = join(dir, snapshots()[0]!);
    const good = readFileSync(file, 'utf8');
    const nl = good.indexOf('\n');
    const damaged = [
      good.slice(0, nl + 1) + good.slice(nl + 1).replace('a failure', 'a fa1lure'), // body changed, digest not
      good.slice(0, good.length - 100), // truncated
      'not a snapshot at all',
      `${good.slice(0, nl).replace(/"key":"[0-9a-f]+"/, `"key":"${'0'.repeat(64)}"`)}${good.slice(nl)}`, // another key's
    ];
    for (const bad of damaged) {
      writeFileSync(file, bad);
      const r = compileRulesetCached(input(), { dialect: 'wazuh' }, dir);
      expect(r.cache).toBe('miss');
      expect(r.ruleset.tree.byId.get(100)!.description).toBe('a failure');
      expect(readFileSync(file, 'utf8')).toBe(good);
    }
    expect(compileRulesetCached(input(), { dialect: 'wazuh' }, dir).cache).toBe('hit');
  });

  it('still compiles when the cache directory cannot be made', () => {
    const inTheWay = join(dir, 'a-file');
    writeFileSync(inTheWay, '');
    const r = compileRulesetCached(input(), { dialect: 'wazuh' }, join(inTheWay, 'cache'));
    expect(r.cache).toBe('miss');
    expect(r.ruleset.tree.byId.get(100)!.level).toBe(5);
  });

  it('is off, not in the working directory, when the home is empty', () => {
    const home = process.env.HOME;
    process.env.HOME = '';
    try {
      expect(compileRulesetCached(input(), { dialect: 'wazuh' }).cache).toBe('off');
    } finally {
      process.env.HOME = home;
    }
  });

  it('is what loadContext uses: a second load of the OSSEC home is a hit', () => {
    const home = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'compat', 'ossec-hids-4.2.0');
    const first = loadContext({ home, dialect: 'ossec', rulesetCache: dir });
    const second = loadContext({ home, dialect: 'ossec', rulesetCache: dir });
    expect([first.rulesetCache, second.rulesetCache]).toEqual(['miss', 'hit']);
    expect(second.ruleset.tree.all.length).toBe(first.ruleset.tree.all.length);
    expect(loadContext({ home, dialect: 'ossec', rulesetCache: false }).rulesetCache).toBe('off');
  });
});

describe('compiled-ruleset cache, files unchanged since it saw them', () => {
  const CONF = `<ossec_config><rules><decoder>etc/decoder.xml</decoder><include>local_rules.xml</include></rules></ossec_config>\n`;
  let home: string;
  let reads: number;
  beforeEach(() => {
    home = join(dir, 'home');
    mkdirSync(join(home, 'etc'), { recursive: true });
    mkdirSync(join(home, 'rules'));
    writeFileSync(join(home, 'etc', 'ossec.conf'), CONF);
    writeFileSync(join(home, 'etc', 'decoder.xml'), DECODERS);
    writeFileSync(join(home, 'rules', 'local_rules.xml'), RULES);
    reads = 0;
  });
  const load = (marginMs: number) => {
    const cfg = parseOssecConfig(CONF, join(home, 'etc', 'ossec.conf'));
    const read = () => {
      reads++;
      return rulesetFiles(cfg, home);
    };
    return loadRulesetCached(rulesetStats(cfg, home), read, { dialect: 'ossec' }, join(dir, 'cache'), marginMs);
  };
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('restores the ruleset, and the files as they were read, without reading them', async () => {
    await settle();
    const first = load(0);
    expect([first.cache, reads]).toEqual(['miss', 1]);
    const second = load(0);
    expect([second.cache, reads]).toEqual(['hit', 1]);
    expect(second.files.rules).toEqual(first.files.rules);
    expect(second.files.decoders).toEqual(first.files.decoders);
    expect(second.ruleset.tree.byId.get(100)!.sourceText).toBe(first.ruleset.tree.byId.get(100)!.sourceText);
  });

  it('reads them when one changed, even to the same size and modification time', async () => {
    await settle();
    load(0);
    const file = join(home, 'rules', 'local_rules.xml');
    const { atime, mtime } = statSync(file);
    writeFileSync(file, RULES.replace('a failure', 'a fa1lure'));
    utimesSync(file, atime, mtime);
    const r = load(0);
    expect([r.cache, reads]).toEqual(['miss', 2]);
    expect(r.ruleset.tree.byId.get(100)!.description).toBe('a fa1lure');
    expect(load(0).ruleset.tree.byId.get(100)!.description).toBe('a fa1lure');
  });

  it('reads files changed shortly before it saw them (their times may not show a change)', () => {
    expect(load(60_000).cache).toBe('miss');
    expect([load(60_000).cache, reads]).toEqual(['hit', 2]);
  });

  it('reads them when the snapshot is damaged', async () => {
    await settle();
    load(0);
    const cache = join(dir, 'cache');
    const snap = join(cache, readdirSync(cache).find((n) => n.startsWith('ruleset-'))!);
    writeFileSync(snap, readFileSync(snap, 'utf8').replace('a failure', 'a fa1lure'));
    const r = load(0);
    expect([r.cache, reads]).toEqual(['miss', 2]);
    expect(r.ruleset.tree.byId.get(100)!.description).toBe('a failure');
  });
});
