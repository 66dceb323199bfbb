// Pre-decoding: the syslog header forms of spec §2 and §11.5, in both dialects.
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../src/index.js';
import { predecode } from '../src/index.js';
import { Event, LOG_MASK, logMask } from '../src/event.js';
import { predecodeInto } from '../src/predecode.js';
import { buildEngine } from './helpers.js';

const BOTH: Dialect[] = ['wazuh', 'ossec'];

function header(line: string, dialect: Dialect) {
  const { timestamp, hostname, programName, log } = predecode(line, dialect);
  return { timestamp, hostname, programName, log };
}

describe.each(BOTH)('header forms recognised by both dialects (%s)', (dialect) => {
  it.each([
    ['classic syslog', 'Dec 29 10:00:01 host prog[12]: msg here', 'Dec 29 10:00:01'],
    ['space-padded day', 'Feb  9 11:44:56 host prog[12]: msg here', 'Feb  9 11:44:56'],
    ['proftpd with milliseconds', '2015-04-16 21:51:02,805 host prog[12]: msg here', '2015-04-16 21:51:02,805'],
    ['ISO 8601 with offset', '2007-06-14T15:48:55-04:00 host prog[12]: msg here', '2007-06-14T15:48:55-04:00'],
    ['ISO 8601 with microseconds', '2019-01-23T09:36:46.214994-07:00 host prog[12]: msg here', '2019-01-23T09:36:46.214994-07:00'],
    ['ISO 8601 with milliseconds', '2019-01-23T09:36:46.214-07:00 host prog[12]: msg here', '2019-01-23T09:36:46.214-07:00'],
    ['year first', '2015 Dec 29 10:00:01 host prog[12]: msg here', '2015 Dec 29 10:00:01'],
  ])('%s', (_name, line, timestamp) => {
    expect(header(line, dialect)).toEqual({ timestamp, hostname: 'host', programName: 'prog', log: 'msg here' });
  });

  it('an unpadded single-digit day is not a header: the line is headerless', () => {
    const line = 'Feb 9 11:44:56 host prog[12]: msg';
    expect(header(line, dialect)).toEqual({ timestamp: null, hostname: null, programName: null, log: line });
  });

  it('the shortest lines with a header: OSSEC asks for n bytes or more (`loglen > n` counts the NUL)', () => {
    // 17 bytes: a header and a one-character message; 16 bytes: no header.
    expect(header('Dec 29 10:00:01 x', dialect)).toEqual({ timestamp: 'Dec 29 10:00:01', hostname: null, programName: null, log: 'x' });
    expect(header('Dec 29 10:00:01 ', dialect)).toEqual({ timestamp: null, hostname: null, programName: null, log: 'Dec 29 10:00:01 ' });
    expect(header('2015 Dec 29 10:00:01 x', dialect).timestamp).toBe('2015 Dec 29 10:00:01');
    expect(header('2015-04-16 21:51:02,805 x', dialect).timestamp).toBe('2015-04-16 21:51:02,805');
    expect(header('2007-06-14T15:48:55-04:00 host xy', dialect).timestamp).toBe('2007-06-14T15:48:55-04:00'); // 33
    expect(header('2007-06-14T15:48:55-04:00 host x', dialect).timestamp).toBeNull(); // 32
    // Lengths are bytes: "é" is two, so 16 characters make 17 bytes.
    expect(header('Dec 29 10:00:01 é', dialect)).toEqual({ timestamp: 'Dec 29 10:00:01', hostname: null, programName: null, log: 'é' });
  });

  it('Solaris `host: msg` without a host: the run is the program name', () => {
    expect(header('Dec 29 10:00:01 sshd: msg', dialect)).toEqual({ timestamp: 'Dec 29 10:00:01', hostname: null, programName: 'sshd', log: 'msg' });
  });

  it('`prog[pid] msg` without a colon is a program name', () => {
    expect(header('Dec 29 10:00:01 host prog[12] msg', dialect)).toMatchObject({ hostname: 'host', programName: 'prog', log: 'msg' });
  });

  it('removes a leading Solaris `[ID nnn facility.severity] ` from the message', () => {
    expect(header('Dec 29 10:00:01 host sshd[1]: [ID 800047 auth.notice] Failed x', dialect).log).toBe('Failed x');
  });

  it('a host run followed by something other than a space unsets host and program', () => {
    expect(header('Dec 29 10:00:01 host! rest', dialect)).toEqual({ timestamp: 'Dec 29 10:00:01', hostname: null, programName: null, log: 'host! rest' });
  });

  it('a word after the host that is not a program leaves the program unset and log after the host', () => {
    expect(header('Dec 29 10:00:01 host just text', dialect)).toEqual({ timestamp: 'Dec 29 10:00:01', hostname: 'host', programName: null, log: 'just text' });
  });

  it('AIX `prog|facility:severity prog2[pid]: ` takes the second program name', () => {
    expect(header('Dec 29 10:00:01 host syslog|auth:info sshd[5]: msg', dialect)).toMatchObject({ programName: 'sshd', log: 'msg' });
  });

  it('German `Mär` is read as `Mar`; full_log keeps the original', () => {
    const p = predecode('M\u00e4r 29 10:00:01 host prog[1]: msg', dialect);
    expect(p).toMatchObject({ timestamp: 'Mar 29 10:00:01', hostname: 'host', programName: 'prog', log: 'msg' });
    expect(p.fullLog).toBe('M\u00e4r 29 10:00:01 host prog[1]: msg');
  });
});

describe('header forms that differ between dialects', () => {
  it('macOS `2021-04-21 10:16:09.404756-0700` is a header for Wazuh only', () => {
    const line = '2021-04-21 10:16:09.404756-0700 host prog[1]: msg';
    expect(header(line, 'wazuh')).toEqual({ timestamp: '2021-04-21 10:16:09.404756-0700', hostname: 'host', programName: 'prog', log: 'msg' });
    expect(header(line, 'ossec')).toEqual({ timestamp: null, hostname: null, programName: null, log: line });
  });

  it('`2019:11:06-00:08:03` is a header for OSSEC 4.x only', () => {
    const line = '2019:11:06-00:08:03 host prog[1]: msg';
    expect(header(line, 'ossec')).toEqual({ timestamp: '2019:11:06-00:08:03', hostname: 'host', programName: 'prog', log: 'msg' });
    expect(header(line, 'wazuh')).toEqual({ timestamp: null, hostname: null, programName: null, log: line });
  });

  it('`prog:msg` (no space) is a program name for Wazuh, not for OSSEC', () => {
    expect(header('Dec 29 10:00:01 host prog:msg', 'wazuh')).toMatchObject({ programName: 'prog', log: 'msg' });
    expect(header('Dec 29 10:00:01 host prog:msg', 'ossec')).toMatchObject({ hostname: 'host', programName: null, log: 'prog:msg' });
  });

  it('`prog[pid]:msg` (no space) is a program name for Wazuh, not for OSSEC', () => {
    expect(header('Dec 29 10:00:01 host prog[7]:msg', 'wazuh')).toMatchObject({ programName: 'prog', log: 'msg' });
    expect(header('Dec 29 10:00:01 host prog[7]:msg', 'ossec')).toMatchObject({ programName: null, log: 'prog[7]:msg' });
  });

  it('OSSEC deletes control characters first, so a tab after `]:` breaks the program name', () => {
    const line = 'Dec 29 10:00:01 host sshd[1]:\tFailed password';
    expect(predecode(line, 'ossec')).toEqual({
      fullLog: 'Dec 29 10:00:01 host sshd[1]:Failed password',
      timestamp: 'Dec 29 10:00:01',
      hostname: 'host',
      programName: null,
      log: 'sshd[1]:Failed password',
    });
    expect(predecode(line, 'wazuh')).toMatchObject({ fullLog: line, programName: 'sshd', log: '\tFailed password' });
  });

  it('OSSEC deletes CR and other control bytes anywhere but keeps bytes >= 0x80', () => {
    expect(predecode('Dec 29 10:00:01 host prog[1]: a\rb\x01c\x7fd é', 'ossec').log).toBe('abcd é');
    expect(predecode('Dec 29 10:00:01 host prog[1]: a\rb', 'wazuh').log).toBe('a\rb');
  });

  it('the log mask made while checking for control bytes is the one logMask makes (ASCII, non-ASCII, long lines)', () => {
    const lines = [
      'Dec 29 10:00:01 host sshd[1]: Failed password for Root from 10.0.0.1 port 22 ssh2 [@`{|}~^_]',
      'Dec 29 10:00:01 host sshd[1]: Failed password for ünïcode from 10.0.0.1',
      'Dec 29 10:00:01 hôst sshd[1]: Accepted publickey for x',
      `Dec 29 10:00:01 host prog[1]: ${'aZ?'.repeat(3000)}`,
      'not a syslog line at all: ERROR 42',
    ];
    for (const line of lines) {
      const ev = predecodeInto(new Event(line, line, 'x', 0), line, 'ossec');
      const made = { ...logMask(ev) };
      LOG_MASK.owner = null;
      expect(made, line.slice(0, 60)).toEqual({ ...logMask(ev) });
    }
  });

  it('OSSEC requires a colon at 24..29 for ISO fractions; Wazuh accepts a numeric offset without one', () => {
    const line = '2019-01-23T09:36:46.214994+0700 host prog[1]: msg';
    expect(header(line, 'wazuh')).toMatchObject({ hostname: 'host', programName: 'prog', log: 'msg' });
    expect(header(line, 'ossec').timestamp).toBeNull();
  });
});

describe('hostname of events without one', () => {
  const decoders = '<decoder name="any"><prematch>^</prematch></decoder>';

  it('falls back to the configured local host name for headerless events', () => {
    const engine = buildEngine(decoders, '', { dialect: 'ossec', localHostname: 'vm' });
    expect(engine.processOne('no header here', 'stdin', 1).event.hostname).toBe('vm');
    expect(engine.processOne('Dec 29 10:00:01 web prog[1]: x', 'stdin', 1).event.hostname).toBe('web');
  });

  // Spec §2: for agent events Wazuh takes the agent name from `(name)` in the location, and it
  // replaces the syslog hostname. Locations look like "[001] (name) any->/var/log/secure" (§1).
  it('Wazuh: an agent event is attributed to the agent name, replacing the syslog host', () => {
    const engine = buildEngine(decoders, '', { dialect: 'wazuh' });
    const r = engine.processOne('Dec 29 10:00:01 web prog[1]: x', '[001] (agent-7) any->/var/log/secure', 1);
    expect(r.event.hostname).toBe('agent-7');
  });
});

describe('pre-decoding from the bytes of an ASCII line', () => {
  // What replay passes when it read the line from bytes: the same event and log mask as from the string.
  const lines = [
    'Mar  4 18:13:23 web1 sshd[22]: Failed password for root from 198.51.100.9 port 22 ssh2',
    'Mar  4 18:13:23 web1 sshd[22]: Failed password for r\u0001oot from 198.51.100.9',
    '\u0007Mar  4 18:13:23 web1 sshd[22]: bell first',
    'Mar  4 18:13:23 web1 sshd[22]: DEL at the end\u007f',
    'Mar  4 18:13:23 web\u00011 sshd[22]: in the header',
    'no header at all, MIXED Case ~{|}',
    '2024-03-04T18:13:23+01:00 web1 su: x',
  ];
  it.each(BOTH)('gives what the string gives (%s)', (dialect) => {
    for (const line of lines) {
      const bytes = Buffer.from(`junk\n${line}\nmore`, 'latin1');
      const fromString = predecodeInto(new Event(line, line, 'x', 0), line, dialect);
      const maskOf = (ev: Event): number[] => {
        const m = logMask(ev);
        return [m.m0, m.m1, m.m2, m.m3];
      };
      const expected = { ...fromString, mask: maskOf(fromString) };
      LOG_MASK.owner = null;
      const fromBytes = predecodeInto(new Event(line, line, 'x', 0), line, dialect, bytes, 5);
      expect({ ...fromBytes, mask: maskOf(fromBytes) }, JSON.stringify(line)).toEqual(expected);
    }
  });
});
