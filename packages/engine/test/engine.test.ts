// Engine-level behaviour around the stages: long lines cut as ossec-logtest reads them (spec §11.3),
// a fresh correlation state per engine, and the location passed with each event.
import { describe, expect, it } from 'vitest';
import { Engine, splitLongLine } from '../src/index.js';
import { APP_BASE_RULE, APP_DECODER, buildRuleset, syslogLine } from './helpers.js';

describe('splitLongLine', () => {
  it('keeps at most 6135 bytes per event and drops a rest shorter than 2 bytes', () => {
    const sizes = (n: number) => splitLongLine('x'.repeat(n)).map((c) => c.length);
    expect(sizes(1)).toEqual([]);
    expect(sizes(2)).toEqual([2]);
    expect(sizes(6135)).toEqual([6135]);
    expect(sizes(6136)).toEqual([6135]);
    expect(sizes(6137)).toEqual([6135, 2]);
  });

  it('counts bytes, not characters', () => {
    // 3,100 two-byte characters are 6,200 bytes: two events
    expect(splitLongLine('\u00e9'.repeat(3100))).toHaveLength(2);
    expect(splitLongLine('\u00e9'.repeat(3000))).toHaveLength(1);
  });

  it('honours another maximum', () => {
    expect(splitLongLine('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
  });
});

describe('Engine', () => {
  const rules = `${APP_BASE_RULE}<group name="app,">
  <rule id="101" level="5"><if_sid>100</if_sid><match>fail</match><description>failure</description></rule>
  <rule id="102" level="10" frequency="3" timeframe="60"><if_matched_sid>101</if_matched_sid><description>repeated</description></rule>
  <rule id="103" level="3"><if_sid>100</if_sid><location>^/var/log/app</location><description>from the app log</description></rule>
</group>
`;

  it('starts every engine with clean correlation state, even on a ruleset another engine used', () => {
    const ruleset = buildRuleset(APP_DECODER, rules);
    const first = new Engine(ruleset);
    const ids = (e: Engine) => [1, 2, 3].map((t) => e.processOne(syslogLine('fail'), 'stdin', 1000 + t).alertRule?.id);
    expect(ids(first)).toEqual([101, 101, 102]);
    expect(ids(new Engine(ruleset))).toEqual([101, 101, 102]);
    expect(ruleset.tree.byId.get(101)!.firedTimes).toBe(2);
  });

  it('passes the location through to the event and to <location> tests', () => {
    const e = new Engine(buildRuleset(APP_DECODER, rules));
    const r = e.processOne(syslogLine('hello'), '/var/log/app.log', 1);
    expect(r.event.location).toBe('/var/log/app.log');
    expect(r.alertRule?.id).toBe(103);
    expect(e.processOne(syslogLine('hello'), 'stdin', 2).alertRule).toBeNull();
  });

  it('expands "message repeated N times" only when asked', () => {
    const ruleset = buildRuleset(APP_DECODER, rules);
    const line = syslogLine('message repeated 3 times: [ fail now ]');
    expect(new Engine(ruleset).process(line, 'stdin', 1).map((r) => r.alertRule?.id)).toEqual([101]);
    const expanded = new Engine(ruleset, { expandRepeated: true }).process(line, 'stdin', 1);
    expect(expanded.map((r) => r.event.log)).toEqual(['fail now', 'fail now', 'fail now']);
    expect(expanded.map((r) => r.alertRule?.id)).toEqual([101, 101, 102]);
  });

  it('never matches a disabled rule, nor its children: the next sibling or the parent takes the line', () => {
    const ruleset = buildRuleset(APP_DECODER, `${APP_BASE_RULE}<group name="app,">
  <rule id="101" level="5"><if_sid>100</if_sid><match>fail</match><description>failure</description></rule>
  <rule id="104" level="7"><if_sid>101</if_sid><match>root</match><description>root failure</description></rule>
  <rule id="105" level="2"><if_sid>100</if_sid><match>fail</match><description>any failure</description></rule>
</group>
`);
    const id = (e: Engine, msg: string) => e.processOne(syslogLine(msg), 'stdin', 1000).alertRule?.id ?? null;
    expect(id(new Engine(ruleset), 'fail root')).toBe(104);
    ruleset.tree.byId.get(104)!.disabled = true;
    expect(id(new Engine(ruleset), 'fail root')).toBe(101);
    ruleset.tree.byId.get(101)!.disabled = true;
    expect(id(new Engine(ruleset), 'fail root')).toBe(105);
    ruleset.tree.byId.get(101)!.disabled = false;
    expect(id(new Engine(ruleset), 'fail root')).toBe(101);
  });
});
