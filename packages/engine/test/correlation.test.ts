// Correlation (spec §5.4, §11.4): frequency per dialect, timeframe, same_source_ip, consumed
// history, ignore, if_matched_group feeding, OSSEC's 128-event look-back, and bounded memory.
import { describe, expect, it } from 'vitest';
import type { Dialect, Engine } from '../src/index.js';
import { buildEngine } from './helpers.js';

const DECODER = `<decoder name="auth"><program_name>^auth$</program_name></decoder>
<decoder name="auth-from"><parent>auth</parent><regex> from (\\S+)$</regex><order>srcip</order></decoder>`;

/** Rule 101 alerts on every failure; rule 102 correlates over 101's alerts with the given attributes. */
function bruteForce(attrs: string, extra = '<same_source_ip />'): string {
  return `<group name="auth,">
  <rule id="100" level="0" noalert="1"><decoded_as>auth</decoded_as><description>auth</description></rule>
  <rule id="101" level="5"><if_sid>100</if_sid><match>^fail</match><group>authentication_failed,</group><description>failure</description></rule>
  <rule id="102" level="10" ${attrs}><if_matched_sid>101</if_matched_sid>${extra}<description>brute force</description></rule>
</group>
`;
}
const fail = (ip: string) => `Dec 29 10:00:01 gw auth[1]: fail from ${ip}`;

/** Feeds `fail from ip` lines at the given times; returns the rule each alerted as. */
function feed(engine: Engine, events: [ip: string, time: number][]): (number | null)[] {
  return events.map(([ip, t]) => engine.processOne(fail(ip), 'stdin', t).alertRule?.id ?? null);
}
const sameIp = (n: number, ip = '10.0.0.1', t0 = 1000): [string, number][] => Array.from({ length: n }, (_, i) => [ip, t0 + i]);
const firesAt = (ids: (number | null)[], id = 102) => ids.flatMap((x, i) => (x === id ? [i + 1] : []));

describe('frequency counts differ by two between the dialects', () => {
  it('Wazuh frequency="5" fires on the 5th event', () => {
    const e = buildEngine(DECODER, bruteForce('frequency="5" timeframe="60"'), { dialect: 'wazuh' });
    expect(firesAt(feed(e, sameIp(5)))).toEqual([5]);
  });

  it('OSSEC frequency="5" fires on the 7th event', () => {
    const e = buildEngine(DECODER, bruteForce('frequency="5" timeframe="60"'), { dialect: 'ossec' });
    expect(firesAt(feed(e, sameIp(7)))).toEqual([7]);
  });

  it.each<Dialect>(['wazuh', 'ossec'])('without frequency, one earlier event suffices: fires on the 2nd (%s)', (dialect) => {
    const e = buildEngine(DECODER, bruteForce('timeframe="60"'), { dialect });
    expect(firesAt(feed(e, sameIp(2)))).toEqual([2]);
  });

  it('a fire consumes the history: a fresh frequency worth of events is needed for the next one', () => {
    const w = buildEngine(DECODER, bruteForce('frequency="5" timeframe="600"'), { dialect: 'wazuh' });
    expect(firesAt(feed(w, sameIp(16)))).toEqual([5, 10, 15]);
    const o = buildEngine(DECODER, bruteForce('frequency="5" timeframe="600"'), { dialect: 'ossec' });
    expect(firesAt(feed(o, sameIp(16)))).toEqual([7, 14]);
  });
});

describe('timeframe', () => {
  it.each<[Dialect, number]>([
    ['wazuh', 5],
    ['ossec', 7],
  ])('an event exactly timeframe seconds old still counts; one second older does not (%s)', (dialect, n) => {
    const times = (last: number) => [...Array.from({ length: n - 1 }, (_, i): [string, number] => ['10.0.0.1', 100 + i]), ['10.0.0.1', last] as [string, number]];
    const inside = buildEngine(DECODER, bruteForce('frequency="5" timeframe="60"'), { dialect });
    expect(feed(inside, times(160)).at(-1)).toBe(102);
    const outside = buildEngine(DECODER, bruteForce('frequency="5" timeframe="60"'), { dialect });
    expect(feed(outside, times(161)).at(-1)).toBe(101);
  });

  it('uses the default timeframe (360 s) when none is given', () => {
    const e = buildEngine(DECODER, bruteForce(''), { dialect: 'wazuh' });
    expect(feed(e, [['10.0.0.1', 1000], ['10.0.0.1', 1360]])).toEqual([101, 102]);
    const late = buildEngine(DECODER, bruteForce(''), { dialect: 'wazuh' });
    expect(feed(late, [['10.0.0.1', 1000], ['10.0.0.1', 1361]])).toEqual([101, 101]);
  });
});

describe('same_source_ip', () => {
  it('Wazuh counts each source separately', () => {
    const e = buildEngine(DECODER, bruteForce('frequency="3" timeframe="60"'), { dialect: 'wazuh' });
    const alternating = Array.from({ length: 6 }, (_, i): [string, number] => [i % 2 === 0 ? '10.0.0.1' : '10.0.0.2', 1000 + i]);
    expect(feed(e, alternating)).toEqual([101, 101, 101, 101, 102, 102]);
  });

  it('OSSEC marks the newest list entry whatever its source, so a fire for A briefly blocks B', () => {
    const events: [string, number][] = [['A', 1], ['B', 2], ['A', 3], ['B', 4], ['B', 5]];
    const o = buildEngine(DECODER, bruteForce(''), { dialect: 'ossec' });
    expect(feed(o, events)).toEqual([101, 101, 102, 101, 102]);
    const w = buildEngine(DECODER, bruteForce(''), { dialect: 'wazuh' });
    expect(feed(w, events)).toEqual([101, 101, 102, 102, 101]);
  });

  it('events without the field never qualify', () => {
    const e = buildEngine(DECODER, bruteForce(''), { dialect: 'wazuh' });
    const noIp = 'Dec 29 10:00:01 gw auth[1]: fail here';
    expect([1, 2, 3].map((t) => e.processOne(noIp, 'stdin', t).alertRule?.id)).toEqual([101, 101, 101]);
  });
});

describe('other same_* filters', () => {
  const decoder = `<decoder name="auth"><program_name>^auth$</program_name><regex>user=(\\S+) su=(\\S+)</regex><order>user, srcuser</order></decoder>`;
  const rules = (filter: string) => bruteForce('timeframe="60"', filter).replace('<match>^fail</match>', '<match>fail</match>');
  const line = (host: string, user: string, srcuser: string) => `Dec 29 10:00:01 ${host} auth[1]: fail user=${user} su=${srcuser}`;

  it.each<Dialect>(['wazuh', 'ossec'])('same_user compares dstuser only (%s)', (dialect) => {
    const e = buildEngine(decoder, rules('<same_user />'), { dialect });
    const out = [line('h', 'alice', 'x'), line('h', 'bob', 'x'), line('h', 'alice', 'y')].map((l, i) => e.processOne(l, 'stdin', 1000 + i).alertRule?.id);
    expect(out).toEqual([101, 101, 102]);
  });

  it('same_location compares the location in Wazuh and the hostname in OSSEC', () => {
    const events: [host: string, location: string][] = [['h1', '/var/log/a'], ['h2', '/var/log/a'], ['h1', '/var/log/b']];
    const run = (dialect: Dialect) => {
      const e = buildEngine(decoder, rules('<same_location />'), { dialect });
      return events.map(([h, loc], i) => e.processOne(line(h, 'u', 'v'), loc, 1000 + i).alertRule?.id);
    };
    expect(run('wazuh')).toEqual([101, 102, 101]);
    expect(run('ossec')).toEqual([101, 101, 102]);
  });
});

describe('ignore', () => {
  const rules = bruteForce('frequency="2" timeframe="600" ignore="10"');
  // frequency 2: Wazuh needs 1 earlier event, OSSEC 3.
  const run = (dialect: Dialect, ignoreRearm: 'daemon' | 'logtest', n: number) => {
    const e = buildEngine(DECODER, rules, { dialect, ignoreRearm });
    return Array.from({ length: n }, (_, i) => {
      const r = e.processOne(fail('10.0.0.1'), 'stdin', 1001 + i);
      return { t: i + 1, rule: r.rule?.id ?? null, as: r.alertRule?.id ?? null, alert: r.alert, ignored: r.ignored };
    });
  };

  it('Wazuh alerts as the parent rule while the window is open', () => {
    const out = run('wazuh', 'daemon', 13);
    expect(out.filter((o) => o.as === 102).map((o) => o.t)).toEqual([2, 12]);
    // at t=4..10 the correlation matched but the event alerted as 101 instead
    const inWindow = out.find((o) => o.t === 4)!;
    expect(inWindow).toMatchObject({ rule: 102, as: 101, alert: true, ignored: false });
  });

  it('OSSEC drops the event while the window is open (Phase 3 shows the rule, no alert)', () => {
    // frequency 2 in OSSEC: 3 earlier events needed, so 102 can match at t=4, 8, 12, 16, 20
    const out = run('ossec', 'daemon', 20);
    expect(out.filter((o) => o.as === 102).map((o) => o.t)).toEqual([4, 16]);
    expect(out.filter((o) => o.ignored).map((o) => o.t)).toEqual([8, 12, 20]);
    expect(out.find((o) => o.t === 8)).toMatchObject({ rule: 102, as: null, alert: false });
  });

  it('the daemon re-arms the window at once; logtest clears it, so the next match alerts too', () => {
    expect(run('wazuh', 'daemon', 16).filter((o) => o.as === 102).map((o) => o.t)).toEqual([2, 12]);
    expect(run('wazuh', 'logtest', 16).filter((o) => o.as === 102).map((o) => o.t)).toEqual([2, 12, 14]);
    expect(run('ossec', 'logtest', 20).filter((o) => o.as === 102).map((o) => o.t)).toEqual([4, 16, 20]);
  });

  it('an event dropped by ignore is not remembered for later correlation (OSSEC)', () => {
    // 101 itself is ignored for 100 s after its first alert; 102 needs 3 earlier 101 alerts.
    const rules = `<group name="auth,">
  <rule id="100" level="0" noalert="1"><decoded_as>auth</decoded_as><description>auth</description></rule>
  <rule id="101" level="5" ignore="100"><if_sid>100</if_sid><match>^fail</match><description>failure</description></rule>
  <rule id="102" level="10" frequency="2" timeframe="600"><if_matched_sid>101</if_matched_sid><description>brute force</description></rule>
</group>
`;
    const e = buildEngine(DECODER, rules, { dialect: 'ossec' });
    expect(feed(e, sameIp(6))).toEqual([101, null, null, null, null, null]);
    expect(e.ruleset.tree.byId.get(101)!.sidPrevMatched!.length).toBe(1);
  });
});

describe('if_matched_group', () => {
  const rules = `<group name="auth,">
  <rule id="100" level="0" noalert="1"><decoded_as>auth</decoded_as><description>auth</description></rule>
  <rule id="110" level="5"><if_sid>100</if_sid><match>^pwfail</match><group>authentication_failed,</group><description>password</description></rule>
  <rule id="111" level="5"><if_sid>100</if_sid><match>^keyfail</match><group>authentication_failed,</group><description>key (an if_matched_sid target)</description></rule>
  <rule id="112" level="8" frequency="20" timeframe="600"><if_matched_sid>111</if_matched_sid><description>key brute force</description></rule>
  <rule id="120" level="12" frequency="4" timeframe="600"><if_matched_group>authentication_failed</if_matched_group><description>group brute force</description></rule>
  <rule id="130" level="5"><if_sid>100</if_sid><match>^latefail</match><group>authentication_failed,</group><description>loaded after 120</description></rule>
</group>
`;
  const run = (dialect: Dialect, msg: string, n: number) => {
    const e = buildEngine(DECODER, rules, { dialect });
    return Array.from({ length: n }, (_, i) => e.processOne(`Dec 29 10:00:01 gw auth[1]: ${msg} from 10.0.0.1`, 'stdin', 1000 + i).alertRule?.id ?? null);
  };

  it('is fed by earlier rules of the group (Wazuh: 4th event, OSSEC: 6th)', () => {
    expect(firesAt(run('wazuh', 'pwfail', 6), 120)).toEqual([4]);
    expect(firesAt(run('ossec', 'pwfail', 6), 120)).toEqual([6]);
  });

  it('is not fed by a group member that is an if_matched_sid target', () => {
    expect(firesAt(run('wazuh', 'keyfail', 10), 120)).toEqual([]);
    expect(firesAt(run('ossec', 'keyfail', 10), 120)).toEqual([]);
  });

  it('is not fed by rules loaded after it', () => {
    expect(firesAt(run('wazuh', 'latefail', 10), 120)).toEqual([]);
    expect(run('wazuh', 'latefail', 1)).toEqual([130]);
  });
});

describe('OSSEC per-target look-back of 128 events', () => {
  // 7 failures from A, N failures from other sources, then the 8th from A (frequency 6 ⇒ 8th event).
  const attempt = (others: number, opts: { sidPrevMatchedMax?: number } = {}) => {
    const e = buildEngine(DECODER, bruteForce('frequency="6" timeframe="100000"'), { dialect: 'ossec', ...opts });
    let t = 1000;
    for (let i = 0; i < 7; i++) e.processOne(fail('192.0.2.1'), 'stdin', t++);
    for (let i = 0; i < others; i++) e.processOne(fail(`10.0.${i >> 8}.${i & 255}`), 'stdin', t++);
    return e.processOne(fail('192.0.2.1'), 'stdin', t).alertRule?.id;
  };

  it('fires when the 7 earlier events are within the last 128 of the list', () => {
    expect(attempt(121)).toBe(102);
  });

  it('misses when the oldest one was pushed out by the 129th entry', () => {
    expect(attempt(122)).toBe(101);
  });

  it('honours a configured sid_prev_matched_max', () => {
    expect(attempt(20, { sidPrevMatchedMax: 27 })).toBe(102);
    expect(attempt(21, { sidPrevMatchedMax: 27 })).toBe(101);
  });
});

describe('bounded memory', () => {
  interface Internals {
    state: { history: { length: number } };
  }
  const retained = (e: Engine) => (e as unknown as Internals).state.history.length;
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

  function flood(dialect: Dialect, events: number): { maxHistory: number; maxList: number; last: number | null } {
    const e = buildEngine(DECODER, bruteForce('frequency="6" timeframe="5"'), { dialect });
    const list = e.ruleset.tree.byId.get(101)!.sidPrevMatched!;
    let maxHistory = 0;
    let maxList = 0;
    let last: number | null = null;
    for (let i = 0; i < events; i++) {
      // distinct source per event, one second apart: every event alerts as 101 and is remembered
      last = e.processOne(fail(ip(i)), 'stdin', 1_000 + i).alertRule?.id ?? null;
      if ((i & 1023) === 0 || i === events - 1) {
        maxHistory = Math.max(maxHistory, retained(e));
        maxList = Math.max(maxList, list.length);
      }
    }
    return { maxHistory, maxList, last };
  }

  it('OSSEC: 1,000,000 alerting events keep at most memory_size in history and 128 per sid list', () => {
    const r = flood('ossec', 1_000_000);
    expect(r.last).toBe(101);
    expect(r.maxHistory).toBeLessThanOrEqual(8192);
    expect(r.maxList).toBeLessThanOrEqual(128);
    expect(r.maxList).toBe(128);
  }, 30_000);

  it('Wazuh: 1,000,000 alerting events; the sid list has no cap of its own but shrinks with the global history', () => {
    const r = flood('wazuh', 1_000_000);
    expect(r.last).toBe(101);
    expect(r.maxHistory).toBe(8192);
    expect(r.maxList).toBeLessThanOrEqual(8192);
  }, 30_000);
});

describe('what correlation remembers of an event', () => {
  // Eight fields compared at once (a record keeps six in fields of its own, the rest beside).
  const WIDE = `<decoder name="auth"><program_name>^auth$</program_name></decoder>
<decoder name="auth-wide"><parent>auth</parent><regex>^fail (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)$</regex><order>srcip, dstip, srcport, dstport, id, url, dstuser, action</order></decoder>`;
  const same = '<same_source_ip /><same_dstip /><same_srcport /><same_dstport /><same_id /><same_user /><same_action /><same_url />';
  const line = (fields: string) => `Dec 29 10:00:01 gw auth[1]: fail ${fields}`;
  const base = ['192.0.2.1', '198.51.100.2', '5000', '22', 'abc', '/x', 'root', 'deny'];

  it.each<Dialect>(['wazuh', 'ossec'])('counts an earlier event only when every compared field is equal, the last ones too (%s)', (dialect) => {
    const e = buildEngine(WIDE, bruteForce('frequency="2" timeframe="60"', same), { dialect });
    const want = dialect === 'wazuh' ? 1 : 3; // earlier events needed: Wazuh frequency - 1, OSSEC frequency + 1
    const other = [...base.slice(0, 7), 'allow'];
    const ids = [
      ...Array.from({ length: want }, (_, i) => e.processOne(line(other.join(' ')), 'stdin', 1000 + i).alertRule?.id ?? null),
      ...Array.from({ length: want + 1 }, (_, i) => e.processOne(line(base.join(' ')), 'stdin', 1010 + i).alertRule?.id ?? null),
    ];
    expect(ids.indexOf(102)).toBe(2 * want);
  });

  it.each<[string, number]>([
    ['whole seconds after 2038', 2 ** 31 + 5],
    ['fractional seconds', 1_700_000_000.25],
    ['small times', 3],
  ])('keeps event times as given: %s', (_, t0) => {
    const e = buildEngine(DECODER, bruteForce('frequency="3" timeframe="10"'), { dialect: 'wazuh' });
    // Two earlier events needed, the first at most 10 s before.
    expect(feed(e, [['10.0.0.1', t0], ['10.0.0.1', t0 + 9.75], ['10.0.0.1', t0 + 10]])).toEqual([101, 101, 102]);
    const late = buildEngine(DECODER, bruteForce('frequency="3" timeframe="10"'), { dialect: 'wazuh' });
    expect(feed(late, [['10.0.0.1', t0], ['10.0.0.1', t0 + 9.75], ['10.0.0.1', t0 + 10.25]])).toEqual([101, 101, 101]);
  });
});
