// replay's reader thread hands each line's time over as an integer (cli/replay-time.ts): the main
// thread must get from it exactly what reading the line itself gives, whatever the timestamp.
import { LogClock } from '@portcullis/engine';
import { describe, expect, it } from 'vitest';
import { lineTime, timeCode } from '../../src/cli/replay-time.js';

describe('replay time codes', () => {
  it('give the time the line itself gives', () => {
    const lines = [
      'Mar  4 06:00:04 srv01 sshd[1]: Accepted publickey for nagios',
      'Dec 31 23:59:59 srv01 sshd[1]: the last second of the year',
      '2024-03-04T06:00:04.5Z host sshd[1]: a fraction of a second',
      '2038-01-19T03:14:07Z host x: the last second an Int32 holds',
      '2038-01-19T03:14:08Z host x: the first it does not',
      '2040-03-04T06:00:04.123+02:00 host sshd[1]: after 2038',
      '1969-12-31T23:59:59Z host x: before 1970',
      '1901-12-13T20:45:52Z host x: the first second an Int32 holds',
      '1901-12-13T20:45:51Z host x: the second before',
      '[Sun Dec 04 04:47:44 2005] [notice] Apache',
      'no timestamp here',
      '',
    ];
    for (const zone of [() => 0, () => 330, () => -600]) {
      const reader = new LogClock(2024, zone);
      const main = new LogClock(2024, zone);
      const direct = new LogClock(2024, zone);
      for (const line of lines) {
        const code = timeCode(line, reader);
        expect(Number.isInteger(code) && code >= -0x80000000 && code <= 0x7fffffff, line).toBe(true);
        expect(lineTime(code, line, main), line).toBe(direct.time(line));
      }
    }
    // No line's own time is taken for "none" or "read it yourself".
    const clock = new LogClock(2024, () => 0);
    expect(lineTime(timeCode('no timestamp here', clock), 'no timestamp here', clock)).toBeNull();
  });
});
