// syslogTime reads the event time from a line's own timestamp, for replaying logs on log time.
import { describe, expect, it } from 'vitest';
import { LogClock, logTime, syslogTime } from '../src/index.js';

const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number) => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

describe('syslogTime', () => {
  it('reads `Mmm dd hh:mm:ss` with the given year, zero- or space-padded days', () => {
    expect(syslogTime('Dec 29 10:00:01 host prog: x', 2024)).toBe(utc(2024, 12, 29, 10, 0, 1));
    expect(syslogTime('Feb  9 11:44:56 host prog: x', 2024)).toBe(utc(2024, 2, 9, 11, 44, 56));
    expect(syslogTime('Feb 09 11:44:56 host prog: x', 2023)).toBe(utc(2023, 2, 9, 11, 44, 56));
  });

  it('reads ISO dates with T or a space, ignoring fractions and the zone offset', () => {
    expect(syslogTime('2019-01-23T09:36:46.214994-07:00 host x', 2024)).toBe(utc(2019, 1, 23, 9, 36, 46));
    expect(syslogTime('2015-04-16 21:51:02,805 host x', 2024)).toBe(utc(2015, 4, 16, 21, 51, 2));
  });

  it('applies the zone offset function to read local wall time', () => {
    expect(syslogTime('Dec 29 10:00:01 h p: x', 2024, () => 60)).toBe(utc(2024, 12, 29, 9, 0, 1));
  });

  it('is null for lines without such a prefix, including the forms the replay oracle does not read', () => {
    for (const line of ['no header', 'Feb 9 11:44:56 host x', '2015 Dec 29 10:00:01 host x', '2019:11:06-00:08:03 host x', 'dec 29 10:00:01 lower-case month', 'M\u00e4r 29 10:00:01 h p: x'])
      expect(syslogTime(line, 2024), line).toBeNull();
  });
});

describe('LogClock', () => {
  // A zone that moves from UTC+1 to UTC+2 at 2024-03-31 01:00:30 UTC (mid-minute, so a remembered
  // minute would be wrong on one side of it), and an offset with seconds (LMT, +00:19:32).
  const dst = (ms: number) => (ms >= Date.UTC(2024, 2, 31, 1, 0, 30) ? 120 : 60);
  const lmt = () => 19 + 32 / 60;
  const lines = [
    'Mar 31 00:59:59 h p: x',
    'Mar 31 01:00:00 h p: x',
    'Mar 31 01:00:29 h p: x',
    'Mar 31 01:00:31 h p: x',
    'Mar 31 01:00:99 h p: x',
    'Mar 31 01:00:3x h p: x',
    'Mar 31 01:00 h p: x',
    'Mar 31 01:01:00 h p: x',
    'Mar 31 01:01:07 h p: x',
    'no time',
    'Mar 31 01:01:08 h p: x',
    '2024-03-31T01:01:09.5+02:00 h x',
    '2024-03-31 01:01:10 h x',
    '2024-03-31T01:01:11Z',
    '2024-03-31T01:01-x',
    '[Sun Mar 31 01:01:12 2024] [error] x',
    '[Sun Mar 31 01:01:12 2024] [error] y',
    '2024 Mar 31 01:01:13 h x',
    '03/31-01:01:14.1 x',
    '[Time 2024.03.31 01:01:15 UTC] x',
    '1711846876.368 x',
    'Mar 31 01:01:16 h p: x',
    'Mar  1 01:01:16 h p: x',
    'Mar 01 01:01:16 h p: x',
    'Xyz 31 01:01:17 h p: x',
    'Mar 31 01:01:17 h p: x',
    'Mar 31 02:00:00 h p: x',
    'Mar 31 02:17:05 h p: x',
    'Mar 31 02:99:99 h p: x',
    'Mar 31 02:1x:05 h p: x',
    'Mar 31 02:17-05 h p: x',
    'Mar 31 02:17:5 h p: x',
    'Mar 31 02:17:0',
    'Mar 31 02:17:',
    'Mar 31 02:1',
    'Apr  1 02:17:05 h p: x',
  ];

  it('gives exactly what logTime gives, line after line, across zone changes and every form', () => {
    for (const offset of [() => 0, dst, lmt]) {
      const clock = new LogClock(2024, offset);
      for (const line of [...lines, ...lines]) expect(clock.time(line), line).toBe(logTime(line, 2024, offset));
    }
  });

  it('reads the line itself, not a remembered one, when only the hour is the same', () => {
    const clock = new LogClock(2024);
    expect(clock.time('Mar 31 01:00:05 h p: x')).toBe(utc(2024, 3, 31, 1, 0, 5));
    expect(clock.time('Mar 31 01:00:45 h p: x')).toBe(utc(2024, 3, 31, 1, 0, 45));
    expect(clock.time('Mar 31 01:59:07 h p: x')).toBe(utc(2024, 3, 31, 1, 59, 7));
    expect(clock.time('Mar 31 01:00:4 h p: x')).toBeNull();
  });
});
