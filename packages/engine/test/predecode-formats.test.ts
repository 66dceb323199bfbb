// Pre-decoding of the prefixes OSSEC strips besides syslog headers (spec §2): one sample per form
// OSSEC 4.2's cleanevent.c lists, with the timestamp, hostname, program name and message it gives,
// and the time `logTime` (logtest --time log, replay) reads from the line.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompiledRuleset, Dialect } from '../src/index.js';
import { compileRuleset, Engine, logTime, predecode, syslogTime } from '../src/index.js';

function header(line: string, dialect: Dialect) {
  const { timestamp, hostname, programName, log } = predecode(line, dialect);
  return { timestamp, hostname, programName, log };
}

const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number) => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

const ASL =
  '[Time 2006.12.28 15:53:55 UTC] [Facility auth] [Sender sshd] [PID 483] [Message error: PAM: Authentication failure for username from 192.168.0.2] [Level 3] [UID -2] [GID -2] [Host Hostname]';
const SQUID = '1140804070.368  11623 10.0.0.1 TCP_MISS/200 1021 GET http://example.com/ - DIRECT/93.184.216.34 text/html';

interface Sample {
  form: string;
  line: string;
  timestamp: string | null;
  hostname: string | null;
  programName: string | null;
  log: string;
  /** What logTime reads (year 2024, UTC), seconds. */
  time: number;
}

/** OSSEC 4.2 (`ossec` dialect): every form OS_CleanMSG recognises, in the order it tries them. */
const OSSEC_SAMPLES: Sample[] = [
  { form: 'syslog', line: 'Dec 29 10:00:01 host sshd[12]: msg', timestamp: 'Dec 29 10:00:01', hostname: 'host', programName: 'sshd', log: 'msg', time: utc(2024, 12, 29, 10, 0, 1) },
  { form: 'proftpd', line: '2015-04-16 21:51:02,805 host proftpd[12]: msg', timestamp: '2015-04-16 21:51:02,805', hostname: 'host', programName: 'proftpd', log: 'msg', time: utc(2015, 4, 16, 21, 51, 2) },
  { form: 'ISO 8601', line: '2007-06-14T15:48:55-04:00 host prog[1]: msg', timestamp: '2007-06-14T15:48:55-04:00', hostname: 'host', programName: 'prog', log: 'msg', time: utc(2007, 6, 14, 15, 48, 55) },
  {
    form: 'ISO 8601, comma fraction',
    line: '2009-05-22T09:36:46,214994-07:00 host prog[1]: msg',
    timestamp: '2009-05-22T09:36:46,214994-07:00',
    hostname: 'host',
    programName: 'prog',
    log: 'msg',
    time: utc(2009, 5, 22, 9, 36, 46),
  },
  { form: 'YYYY Mmm dd', line: '2015 Dec 29 10:00:01 host prog[1]: msg', timestamp: '2015 Dec 29 10:00:01', hostname: 'host', programName: 'prog', log: 'msg', time: utc(2015, 12, 29, 10, 0, 1) },
  { form: 'YYYY:MM:DD-', line: '2019:11:06-00:08:03 host prog[1]: msg', timestamp: '2019:11:06-00:08:03', hostname: 'host', programName: 'prog', log: 'msg', time: utc(2019, 11, 6, 0, 8, 3) },
  {
    form: 'xferlog',
    line: 'Mon Apr 17 18:27:14 2006 1 64.160.42.130 5190 /home/user/file.txt b _ i r user ftp 0 * c',
    timestamp: 'Mon Apr 17 18:27:14 2006',
    hostname: null,
    programName: null,
    log: ' 1 64.160.42.130 5190 /home/user/file.txt b _ i r user ftp 0 * c',
    time: utc(2006, 4, 17, 18, 27, 14),
  },
  {
    form: 'snort',
    line: '01/28-09:13:16.240702  [**] [1:2003:8] MS-SQL Worm propagation attempt [**]',
    timestamp: '01/28-09:13:16.240702',
    hostname: null,
    programName: null,
    log: '[**] [1:2003:8] MS-SQL Worm propagation attempt [**]',
    time: utc(2024, 1, 28, 9, 13, 16),
  },
  {
    form: 'suricata',
    line: '01/28/1979-09:13:16.240702  [**] [1:2003:8] ET POLICY test [**]',
    timestamp: '01/28/1979-09:13:16.240702',
    hostname: null,
    programName: null,
    log: '[**] [1:2003:8] ET POLICY test [**]',
    time: utc(1979, 1, 28, 9, 13, 16),
  },
  {
    form: 'Apache error log',
    line: '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    timestamp: 'Sun Dec 04 04:47:44 2005',
    hostname: null,
    programName: null,
    log: '[notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    time: utc(2005, 12, 4, 4, 47, 44),
  },
  {
    form: 'OS X ASL',
    line: ASL,
    timestamp: '2006.12.28 15:53:55 UTC',
    hostname: 'Hostname',
    programName: 'sshd',
    log: 'error: PAM: Authentication failure for username from 192.168.0.2',
    time: utc(2006, 12, 28, 15, 53, 55),
  },
  {
    form: 'squid',
    line: SQUID,
    timestamp: '1140804070.368',
    hostname: null,
    programName: null,
    log: '11623 10.0.0.1 TCP_MISS/200 1021 GET http://example.com/ - DIRECT/93.184.216.34 text/html',
    time: 1140804070,
  },
];

describe('pre-decoding formats (OSSEC 4.2)', () => {
  it.each(OSSEC_SAMPLES)('$form', ({ line, timestamp, hostname, programName, log, time }) => {
    expect(header(line, 'ossec')).toEqual({ timestamp, hostname, programName, log });
    expect(predecode(line, 'ossec').fullLog).toBe(line);
    expect(logTime(line, 2024)).toBe(time);
    // The server reads the event time from the pre-decoded timestamp text.
    expect(logTime(timestamp!, 2024)).toBe(time);
  });

  it('too short for a form: the line stays headerless', () => {
    // xferlog wants 28 characters or more, Apache 27 (this has 26), squid 32.
    for (const line of ['Mon Apr 17 18:27:14 2006 1 ', '[Sun Dec 04 04:47:44 2005]', '1140804070.368  11623 10.0.0.1'])
      expect(header(line, 'ossec'), line).toEqual({ timestamp: null, hostname: null, programName: null, log: line });
  });

  it('Apache 2.4 dates (fractional seconds) are not this prefix: the decoder reads the whole line', () => {
    const line = '[Sun Dec 04 04:47:44.123456 2005] [core:error] [pid 1] AH00126: Invalid URI in request';
    expect(header(line, 'ossec')).toEqual({ timestamp: null, hostname: null, programName: null, log: line });
  });

  it('a suricata date with just one space after it loses the first character of the message, as in OSSEC', () => {
    expect(header('01/28/1979-09:13:16.240702 [**] x', 'ossec').log).toBe('**] x');
  });
});

describe('OS X ASL entries', () => {
  const T = '[Time 2006.11.02 14:02:11 UTC]';
  it('the first Sender and the first Message count; Host ends the walk', () => {
    expect(header(`${T} [Message first] [Message second] [Sender a] [Sender b] [Host h] [Host i]`, 'ossec')).toEqual({
      timestamp: '2006.11.02 14:02:11 UTC',
      hostname: 'h',
      programName: 'a',
      log: 'first',
    });
  });

  it('entries after Host are not read, so a forged Sender or Message there is ignored', () => {
    expect(header(`${T} [Host h] [Sender sshd] [Message m]`, 'ossec')).toMatchObject({ hostname: 'h', programName: null, log: ' UTC] [Host h] [Sender sshd] [Message m]' });
  });

  it('a Message without its closing bracket runs to the end of the line', () => {
    expect(header(`${T} [Sender sshd] [Message refused connect from 59.124.44.34`, 'ossec')).toMatchObject({ hostname: null, programName: 'sshd', log: 'refused connect from 59.124.44.34' });
  });

  it('without entries the message is everything after the time', () => {
    expect(header(`${T} plain text`, 'ossec')).toMatchObject({ hostname: null, programName: null, log: ' UTC] plain text' });
  });

  it('the time is UTC when the line says so, local otherwise', () => {
    expect(logTime(`${T} x`, 2024, () => 60)).toBe(utc(2006, 11, 2, 14, 2, 11));
    expect(logTime('[Time 2006.11.02 14:02:11 PST] x', 2024, () => 60)).toBe(utc(2006, 11, 2, 13, 2, 11));
  });
});

describe('Wazuh 4.14.7 differences', () => {
  it('xferlog skips one character more (no leading space)', () => {
    expect(header(OSSEC_SAMPLES.find((s) => s.form === 'xferlog')!.line, 'wazuh').log).toBe('1 64.160.42.130 5190 /home/user/file.txt b _ i r user ftp 0 * c');
  });

  it('suricata needs 28 characters or more (OSSEC 26)', () => {
    const line = '01/28/1979-09:13:16.240702 x';
    expect(line).toHaveLength(28);
    expect(header(line.slice(0, 27), 'wazuh').timestamp).toBeNull();
    expect(header(line.slice(0, 27), 'ossec').timestamp).toBe('01/28/1979-09:13:16.240702');
    expect(header(line, 'wazuh').timestamp).toBe('01/28/1979-09:13:16.240702');
  });

  it('keeps no timestamp for ASL, and squid\'s keeps all but the last space before the message', () => {
    expect(header(ASL, 'wazuh')).toEqual({ timestamp: null, hostname: 'Hostname', programName: 'sshd', log: 'error: PAM: Authentication failure for username from 192.168.0.2' });
    expect(header(SQUID, 'wazuh').timestamp).toBe('1140804070.368 ');
  });

  it('the other forms give the same results as OSSEC', () => {
    for (const s of OSSEC_SAMPLES.filter((x) => ['snort', 'suricata', 'Apache error log'].includes(x.form)))
      expect(header(s.line, 'wazuh'), s.form).toEqual({ timestamp: s.timestamp, hostname: s.hostname, programName: s.programName, log: s.log });
  });
});

describe('logTime', () => {
  it('is syslogTime where that reads the line, and null where no form matches', () => {
    expect(logTime('Feb  9 11:44:56 host x', 2024, () => 60)).toBe(syslogTime('Feb  9 11:44:56 host x', 2024, () => 60));
    for (const line of ['no header', 'Feb 9 11:44:56 host x', 'Mon Xyz 17 18:27:14 2006 1 x', '12/34/ab', '[Time 2006.1x.28 15:53:55 UTC]', '114080407x.368  1'])
      expect(logTime(line, 2024), line).toBeNull();
  });

  it('reads local wall time for the zone-less forms', () => {
    expect(logTime('[Sun Dec 04 04:47:44 2005] [error] x', 2024, () => 60)).toBe(utc(2005, 12, 4, 3, 47, 44));
    expect(logTime('Mon Apr  7 18:27:14 2006 1 x', 2024)).toBe(utc(2006, 4, 7, 18, 27, 14));
  });
});

// The Apache error-log sample through the engine with the stock OSSEC 4.2 home, as `portcullis
// logtest --dialect ossec` loads it: etc/decoder.xml and the rules ossec.conf includes, in order.
const home = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'compat', 'ossec-hids-4.2.0');

let stock: CompiledRuleset | null = null;
function ossecEngine(): Engine {
  stock ??= compileStock();
  return new Engine(stock, { dialect: 'ossec', localHostname: 'vm' });
}

function compileStock(): CompiledRuleset {
  const conf = readFileSync(join(home, 'etc', 'ossec.conf'), 'utf8');
  const includes = [...conf.matchAll(/<include>([^<]+)<\/include>/g)].map((m) => m[1]!.trim());
  const read = (path: string) => ({ path, text: readFileSync(path, 'utf8') });
  return compileRuleset({ decoders: [read(join(home, 'etc', 'decoder.xml'))], rules: includes.map((i) => read(join(home, 'rules', i))) }, { dialect: 'ossec' });
}

describe('Apache error log with the OSSEC 4.2 ruleset', () => {
  // Expected rules from apache_rules.xml: 30100 takes every apache-errorlog event; its children
  // 30101 (`^\[error\] `), 30103 (`^\[notice\] `); under 30101, 30106 (`Directory index forbidden by
  // rule`). No other child of 30101/30103 matches these messages.
  it.each([
    ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties', 30103, 0],
    ['[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6', 30101, 0],
    ['[Sun Dec 04 04:51:52 2005] [error] [client 10.0.0.5] Directory index forbidden by rule: /var/www/html/', 30106, 5],
  ])('%s', (line, rule, level) => {
    const r = ossecEngine().processOne(line, 'stdin', logTime(line, 2024)!);
    const d = r.event.decoder!;
    expect(d.parent ?? d.name).toBe('apache-errorlog');
    expect(r.rule?.id).toBe(rule);
    expect(r.rule?.level).toBe(level);
    expect(r.event.hostname).toBe('vm');
    expect(r.event.programName).toBeNull();
  });
});
