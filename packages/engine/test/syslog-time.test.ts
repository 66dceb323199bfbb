// syslogTime reads the event time from a line's own timestamp, for replaying logs on log time.
import { describe, expect, it } from 'vitest';
import { syslogTime } from '../src/index.js';

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
