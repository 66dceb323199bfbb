// Correlation state across a restart: a snapshot taken from one engine, passed through JSON (as the
// server writes it), restored into an engine of a fresh compile, gives the same answers as if the
// first engine had kept running; rules whose definition changed start from nothing.
import { describe, expect, it } from 'vitest';
import type { CorrelationSnapshot, Dialect, Engine, SnapshotEvent } from '../src/index.js';
import { ruleDefinitionHash } from '../src/index.js';
import { buildEngine } from './helpers.js';

const DECODER = `<decoder name="auth"><program_name>^auth$</program_name></decoder>
<decoder name="auth-from"><parent>auth</parent><regex> (\\S+) from (\\S+)$</regex><order>dstuser, srcip</order></decoder>`;

function rules(failure = 'failure', brute = 'frequency="5" timeframe="600"'): string {
  return `<group name="auth,">
  <rule id="100" level="0" noalert="1"><decoded_as>auth</decoded_as><description>auth</description></rule>
  <rule id="101" level="5"><if_sid>100</if_sid><match>^fail</match><group>authentication_failed,</group><description>${failure}</description></rule>
  <rule id="102" level="10" ${brute}><if_matched_sid>101</if_matched_sid><same_source_ip /><description>brute force</description></rule>
  <rule id="110" level="5"><if_sid>100</if_sid><match>^pwfail</match><group>pw_failed,</group><description>password</description></rule>
  <rule id="120" level="12" frequency="4" timeframe="600"><if_matched_group>pw_failed</if_matched_group><same_user /><description>group brute force</description></rule>
  <rule id="130" level="4" ignore="300"><if_sid>100</if_sid><match>^noisy</match><description>noisy, once per 5 minutes</description></rule>
</group>
`;
}

const line = (msg: string, ip: string, user = 'root') => `Dec 29 10:00:01 gw auth[1]: ${msg} ${user} from ${ip}`;
let clock = 1000;
function feed(e: Engine, msg: string, ip: string, n: number, user = 'root'): (number | null)[] {
  return Array.from({ length: n }, () => e.processOne(line(msg, ip, user), 'stdin', clock++).alertRule?.id ?? null);
}
/** A restart: the snapshot goes through JSON into an engine of a fresh compile. */
function restart(old: Engine, dialect: Dialect, ruleText = rules()): { engine: Engine; kept: number; dropped: number } {
  const snap = JSON.parse(JSON.stringify(old.snapshotState())) as CorrelationSnapshot;
  const engine = buildEngine(DECODER, ruleText, { dialect });
  const r = engine.restoreState(snap);
  return { engine, kept: r.kept, dropped: r.dropped };
}

describe('correlation state snapshot and restore', () => {
  it.each<[Dialect, number]>([
    ['wazuh', 4],
    ['ossec', 6],
  ])('a brute force counted before the restart fires on the next attempt after it (%s)', (dialect, before) => {
    const e = buildEngine(DECODER, rules(), { dialect });
    expect(feed(e, 'fail', '198.51.100.7', before)).not.toContain(102);
    // Another source's failures in between count for nobody else (same_source_ip, per-source index).
    feed(e, 'fail', '203.0.113.9', 3);
    const { engine } = restart(e, dialect);
    expect(feed(engine, 'fail', '198.51.100.7', 1)).toEqual([102]);

    const fresh = buildEngine(DECODER, rules(), { dialect });
    expect(feed(fresh, 'fail', '198.51.100.7', 1)).toEqual([101]);
  });

  it('keeps if_matched_group lists with their field filters', () => {
    const e = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    feed(e, 'pwfail', '10.0.0.1', 2, 'alice');
    feed(e, 'pwfail', '10.0.0.2', 1, 'alice');
    feed(e, 'pwfail', '10.0.0.2', 2, 'bob');
    const { engine } = restart(e, 'wazuh');
    expect(feed(engine, 'pwfail', '10.0.0.3', 1, 'bob')).toEqual([110]);
    expect(feed(engine, 'pwfail', '10.0.0.3', 1, 'alice')).toEqual([120]);
  });

  it('keeps an ignore window open', () => {
    const e = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    expect(feed(e, 'noisy', '10.0.0.1', 1)).toEqual([130]);
    const { engine } = restart(e, 'wazuh');
    expect(feed(engine, 'noisy', '10.0.0.1', 1)).toEqual([null]);
  });

  it('drops the state of a rule whose definition changed, and keeps the others', () => {
    const e = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    feed(e, 'fail', '198.51.100.7', 4);
    feed(e, 'noisy', '10.0.0.1', 1);
    // 101 (whose alerts 102 counts) is rewritten: its list starts empty, 130's window stays.
    const changed = restart(e, 'wazuh', rules('failed login'));
    expect(changed.dropped).toBe(1);
    expect(feed(changed.engine, 'fail', '198.51.100.7', 1)).toEqual([101]);
    expect(feed(changed.engine, 'noisy', '10.0.0.1', 1)).toEqual([null]);
    // Only 102 rewritten: 101's list is 101's, so the count carries over.
    const other = restart(e, 'wazuh', rules('failure', 'frequency="5" timeframe="900"'));
    expect(feed(other.engine, 'fail', '198.51.100.7', 1)).toEqual([102]);
  });

  it('restores nothing from a snapshot of the other dialect', () => {
    const e = buildEngine(DECODER, rules(), { dialect: 'ossec' });
    feed(e, 'fail', '198.51.100.7', 6);
    const { engine, kept } = restart(e, 'wazuh');
    expect(kept).toBe(0);
    expect(feed(engine, 'fail', '198.51.100.7', 1)).toEqual([101]);
  });

  it('says where a malformed snapshot is wrong', () => {
    const e = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    feed(e, 'fail', '198.51.100.7', 2);
    const snap = e.snapshotState();
    snap.history.push(99);
    expect(() => buildEngine(DECODER, rules(), { dialect: 'wazuh' }).restoreState(snap)).toThrow(/event index 99 out of range \(2 events\)/);
  });

  it('reads a version-1 snapshot, which held whole events', () => {
    const engine = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    const rule101 = engine.ruleset.tree.byId.get(101)!;
    const events: SnapshotEvent[] = [0, 1, 2, 3].map((i) => {
      const log = `fail root from 198.51.100.7`;
      return { t: clock + i, log, full: `Dec 29 10:00:01 gw auth[1]: ${log}`, loc: 'stdin', host: 'gw', prog: 'auth', cat: 'syslog', m: 0, r: 101, s: { dstuser: 'root', srcip: '198.51.100.7' } };
    });
    clock += 4;
    const v1: CorrelationSnapshot = {
      version: 1,
      dialect: 'wazuh',
      events,
      history: [0, 1, 2, 3],
      rules: [{ id: 101, hash: ruleDefinitionHash(rule101), timeIgnored: 0, firedTimes: 4, sid: [0, 1, 2, 3] }],
      fts: [],
      ignored: [],
    };
    expect(engine.restoreState(JSON.parse(JSON.stringify(v1)) as CorrelationSnapshot)).toEqual({ kept: 1, dropped: 0, events: 4 });
    expect(feed(engine, 'fail', '198.51.100.7', 1)).toEqual([102]);
  });

  it('restores nothing from a snapshot of a version it does not know', () => {
    const e = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    feed(e, 'fail', '198.51.100.7', 4);
    const snap = { ...e.snapshotState(), version: 99 };
    const engine = buildEngine(DECODER, rules(), { dialect: 'wazuh' });
    expect(engine.restoreState(snap).kept).toBe(0);
    expect(feed(engine, 'fail', '198.51.100.7', 1)).toEqual([101]);
  });
});

describe('correlation state across a hot reload (adoptState)', () => {
  // A rule placed before 102 that compares the event id: the reloaded ruleset's records keep other
  // values, in another order, than the running one's.
  const withSameId = rules().replace(
    '<rule id="102"',
    '<rule id="103" level="3" frequency="9" timeframe="600"><if_matched_sid>101</if_matched_sid><same_id /><description>same id</description></rule>\n  <rule id="102"',
  );

  it.each<Dialect>(['wazuh', 'ossec'])('keeps the counts of unchanged rules when the ruleset compares other fields (%s)', (dialect) => {
    const before = dialect === 'wazuh' ? 4 : 6;
    const e = buildEngine(DECODER, rules(), { dialect });
    expect(feed(e, 'fail', '198.51.100.7', before)).not.toContain(102);
    const next = buildEngine(DECODER, withSameId, { dialect });
    expect(next.adoptState(e)).toBe(7); // all but 103, the root rule included
    expect(feed(next, 'fail', '198.51.100.7', 1)).toEqual([102]);
    // and back: the records made under the reloaded ruleset carry the source address over too
    expect(feed(next, 'fail', '203.0.113.9', before)).not.toContain(102);
    const back = buildEngine(DECODER, rules(), { dialect });
    back.adoptState(next);
    expect(feed(back, 'fail', '203.0.113.9', 1)).toEqual([102]);
  });
});
