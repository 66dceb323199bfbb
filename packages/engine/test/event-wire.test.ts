// Events decoded by one engine and rebuilt by another (replay's two threads): every line must come
// out of the reading engine exactly as if that engine had processed it whole, event by event and
// result by result, on the stock OSSEC 4.2 and Wazuh 4.14 rulesets and on ours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dialect, Event, ProcessResult } from '../src/index.js';
import { Engine, EventReader, EventWriter, compileRuleset, decoderSetKey, logtestJson } from '../src/index.js';
import { LOG_MASK, logMask } from '../src/event.js';
import { ossecHome, shared, shipped, wazuhRuleset } from './stock-rulesets.js';

/** Lines the corpora do not have: every header form, JSON, control bytes, long and short lines. */
const ODD = [
  '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
  '2024-03-04T18:13:23.123+01:00 web1 sshd[22]: Failed password for root from 198.51.100.7 port 22 ssh2',
  '2024 Mar 04 18:13:23 web1 sshd[22]: Invalid user admin from 198.51.100.8',
  '{"srcip":"203.0.113.5","proto":"tcp","protocol":"udp","user":"bob","a":{"b":[1,{"c":2}],"d":null},"e":"caf\\u00e9"}',
  'Mar  4 18:13:23 web1 sshd[22]: Failed password for r\u0001oot from 198.51.100.9 port 22 ssh2',
  'Mar  4 18:13:23 web1 sshd[22]: message repeated 3 times: [ Failed password for root from 198.51.100.10 port 22 ssh2]',
  `Mar  4 18:13:23 web1 sshd[22]: Failed password for ${'x'.repeat(7000)} from 198.51.100.11 port 22 ssh2`,
  'x',
  '',
  'Mar  4 18:13:23 wéb1 sshd[22]: Failed password for ünïcode from 2001:db8::1 port 22 ssh2',
];

const lines = [
  ...['seed-scenario.log', 'loghub-openssh-2k.log', 'auth-100k.log'].flatMap((f) => readFileSync(join(shared, 'corpus', f), 'utf8').split('\n').slice(0, 4000)),
  ...ODD,
  ...ODD,
];

/** An event's state as the rule walk sees it (the decoder by what it reports). */
function state(ev: Event): unknown {
  const own = { ...(ev as unknown as Record<string, unknown>) };
  own.decoder = ev.decoder === null ? null : { ...ev.decoder };
  return { own, assignments: ev.assignments, fields: ev.fieldsObject() };
}

const json = (rs: ProcessResult[], i: number): string => JSON.stringify(rs.map((r) => logtestJson(i + 1, r)));

describe.each([
  ['the OSSEC 4.2 home', ossecHome, 'ossec', false],
  ['the Wazuh 4.14 ruleset', wazuhRuleset, 'wazuh', false],
  ['the shipped rules', shipped, 'wazuh', true],
] as const)('events of %s decoded in one engine, evaluated in another', (_name, input, dialect: Dialect, expandRepeated) => {
  const files = input();
  const options = { dialect, localHostname: 'here', expandRepeated };
  // Two compilations of the same files, as two threads make them.
  const writing = new Engine(compileRuleset(files, { dialect }), options);
  const readingRuleset = compileRuleset(files, { dialect });
  const reading = new Engine(readingRuleset, options);
  const whole = new Engine(compileRuleset(files, { dialect }), options);
  const location = '/var/log/auth.log';

  it('rebuilds each event and gives each line the results processing it whole gives', () => {
    expect(decoderSetKey(writing.ruleset.decoders)).toBe(decoderSetKey(readingRuleset.decoders));
    const writer = new EventWriter(writing.ruleset.decoders);
    const reader = new EventReader(reading, readingRuleset.decoders, location);
    let raw = 0;
    let decoded = 0;
    let n = 0;
    const check = (): void => {
      reader.forEach(writer.take(), (line, ev) => {
        const i = n++;
        const time = 1_700_000_000 + i;
        if (ev !== null) ev.time = time;
        if (ev === null) {
          raw++;
          expect(json(reading.processLine(line, location, time), i)).toBe(json(whole.processLine(line, location, time), i));
          return;
        }
        decoded++;
        // Evaluated first, with the log mask the reader set up (nothing else ran in between).
        const before = state(ev);
        const mask = LOG_MASK.owner === ev ? [LOG_MASK.m0, LOG_MASK.m1, LOG_MASK.m2, LOG_MASK.m3] : null;
        const got = json([reading.evaluate(ev)], i);
        const expected = json(whole.processLine(line, location, time), i);
        expect(got).toBe(expected);
        const mine = writing.decodeLine(line, location, time)!;
        expect(before).toEqual(state(mine));
        if (mask !== null) {
          LOG_MASK.owner = null;
          const m = logMask(mine);
          expect(mask).toEqual([m.m0, m.m1, m.m2, m.m3]);
        }
      });
    };
    lines.forEach((line) => {
      writer.add(line, writing.decodeLine(line, location, 0));
      if (writer.count === 97) check();
    });
    check();
    expect(n).toBe(lines.length);
    expect(decoded).toBeGreaterThan(lines.length * 0.9);
    // The long line, the short ones and (with expandRepeated) the repeated-message line go whole.
    expect(raw).toBeGreaterThanOrEqual(expandRepeated ? 8 : 6);
  });
});
