// The rule tree (spec §5.2, §5.3, §11.7): sibling order, depth-first first match, noalert
// fall-through, and placement by if_sid / if_group / if_level / category.
import { describe, expect, it } from 'vitest';
import { APP_BASE_RULE, APP_DECODER, alertId, buildEngine, syslogLine } from './helpers.js';

const line = (msg: string) => syslogLine(msg);

describe('sibling order: level 0 first, then level descending, ties in load order', () => {
  const rules = `${APP_BASE_RULE}<group name="order,">
  <rule id="110" level="3"><if_sid>100</if_sid><match>a</match><description>three</description></rule>
  <rule id="111" level="7"><if_sid>100</if_sid><match>b</match><description>seven, loaded first</description></rule>
  <rule id="112" level="0"><if_sid>100</if_sid><match>quiet</match><description>zero</description></rule>
  <rule id="113" level="7"><if_sid>100</if_sid><match>c</match><description>seven, loaded second</description></rule>
  <rule id="114" level="12"><if_sid>100</if_sid><match>d</match><description>twelve</description></rule>
  <rule id="115" level="1" accuracy="0"><if_sid>100</if_sid><match>e</match><description>accuracy 0</description></rule>
  <rule id="116" level="1"><if_sid>100</if_sid><match>e</match><description>one</description></rule>
</group>
`;
  const engine = () => buildEngine(APP_DECODER, rules);

  it('orders the children of a rule as OSSEC stores them', () => {
    const children = engine().ruleset.tree.byId.get(100)!.children.map((r) => r.id);
    expect(children).toEqual([112, 114, 111, 113, 110, 116, 115]);
  });

  it('the highest level wins when several siblings match', () => {
    expect(alertId(engine(), line('a b c d e'))).toBe(114);
  });

  it('equal levels go in load order', () => {
    expect(alertId(engine(), line('a b c e'))).toBe(111);
    expect(alertId(engine(), line('c b'))).toBe(111);
  });

  it('a matching level-0 sibling is tried first and drops the event', () => {
    const r = engine().processOne(line('quiet a b c d'), 'stdin', 1);
    expect(r.rule?.id).toBe(112);
    expect(r.alert).toBe(false);
    expect(r.alertRule).toBeNull();
  });

  it('accuracy="0" keeps the level unscaled, so the rule sorts after every level >= 1 sibling', () => {
    expect(alertId(engine(), line('e'))).toBe(116);
  });
});

describe('depth-first walk', () => {
  const rules = `${APP_BASE_RULE}<group name="dfs,">
  <rule id="200" level="5"><if_sid>100</if_sid><match>hit</match><description>five</description></rule>
  <rule id="201" level="4"><if_sid>100</if_sid><match>hit</match><description>four</description></rule>
  <rule id="202" level="10"><if_sid>201</if_sid><match>hit</match><description>ten, under four</description></rule>
  <rule id="210" level="6" noalert="1"><if_sid>100</if_sid><match>nf</match><description>noalert six</description></rule>
  <rule id="211" level="9"><if_sid>210</if_sid><match>deep</match><description>child of noalert</description></rule>
  <rule id="212" level="2"><if_sid>100</if_sid><match>nf</match><description>two</description></rule>
  <rule id="220" level="8"><if_sid>100</if_sid><match>leaf</match><description>eight</description></rule>
  <rule id="221" level="3"><if_sid>220</if_sid><match>leaf child</match><description>three, under eight</description></rule>
</group>
`;
  const engine = () => buildEngine(APP_DECODER, rules);

  it('the first child whose subtree yields a rule wins: a level-5 child before a level-10 grandchild elsewhere', () => {
    expect(alertId(engine(), line('hit'))).toBe(200);
  });

  it('a matching child replaces its parent, whatever its level', () => {
    expect(alertId(engine(), line('leaf'))).toBe(220);
    expect(alertId(engine(), line('leaf child'))).toBe(221);
  });

  it('a matching noalert rule whose children all fail lets the parent try its next child', () => {
    expect(alertId(engine(), line('nf'))).toBe(212);
    expect(alertId(engine(), line('nf deep'))).toBe(211);
  });

  it('a noalert root with no matching child gives no rule at all', () => {
    const r = engine().processOne(line('nothing matches'), 'stdin', 1);
    expect(r.rule).toBeNull();
    expect(r.alert).toBe(false);
  });
});

describe('placement', () => {
  const decoders = `${APP_DECODER}<decoder name="fw"><prematch>^FW </prematch><type>firewall</type></decoder>`;
  const rules = `<group name="firewall,">
  <rule id="2" level="0" noalert="1"><category>firewall</category><description>firewall root</description></rule>
</group>
${APP_BASE_RULE}<group name="app,auth,">
  <rule id="300" level="5"><if_sid>100</if_sid><match>fail</match><group>authentication_failed,</group><description>auth fail</description></rule>
  <rule id="301" level="9"><if_sid>100</if_sid><match>root</match><description>root</description></rule>
  <rule id="302" level="3"><if_group>authentication_failed</if_group><match>twice</match><description>group child</description></rule>
  <rule id="303" level="4"><if_level>9</if_level><match>hi</match><description>level child</description></rule>
  <rule id="304" level="2"><if_sid>300, 301</if_sid><match>shared</match><description>two parents</description></rule>
  <rule id="305" level="6"><match>anywhere</match><description>no if_*: child of the syslog root</description></rule>
  <rule id="306" level="6"><category>firewall</category><match>drop</match><description>firewall category</description></rule>
</group>
`;
  const engine = () => buildEngine(decoders, rules);
  const children = (id: number) => engine().ruleset.tree.byId.get(id)!.children.map((r) => r.id);

  it('if_group makes the rule a child of every earlier rule whose group matches', () => {
    expect(children(300)).toContain(302);
    expect(children(301)).not.toContain(302);
    expect(alertId(engine(), line('fail twice'))).toBe(302);
    expect(alertId(engine(), line('root twice'))).toBe(301);
  });

  it('if_level makes the rule a child of every rule with at least that level, level-0 rules included', () => {
    expect(children(301)).toContain(303);
    expect(children(300)).not.toContain(303);
    expect(children(100)).toContain(303); // level 0 is stored as 9900
    expect(alertId(engine(), line('root hi'))).toBe(303);
  });

  it('if_sid with several ids makes the rule a child of each', () => {
    expect(children(300)).toContain(304);
    expect(children(301)).toContain(304);
    expect(alertId(engine(), line('fail shared'))).toBe(304);
    expect(alertId(engine(), line('root shared'))).toBe(304);
  });

  it('a rule without if_* hangs from the root of its category (syslog by default)', () => {
    expect(children(1)).toContain(305);
    expect(children(2)).toContain(306);
    expect(children(2)).not.toContain(305);
    expect(alertId(engine(), line('anywhere'))).toBe(305);
  });

  it('roots are chosen by the decoder category: a firewall-type decoder reaches only the firewall root', () => {
    expect(alertId(engine(), 'FW drop anywhere')).toBe(306);
    // a syslog-category event never reaches firewall rules
    expect(alertId(engine(), line('drop'))).toBeNull();
  });

  it('an event no decoder matched still runs through the syslog root', () => {
    expect(alertId(engine(), 'headerless anywhere')).toBe(305);
  });
});
