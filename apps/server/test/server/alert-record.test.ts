import { describe, expect, it } from 'vitest';
import { eventTimeOf } from '../../src/pipeline/alert-record.js';

// Local wall time, as the line writes it (the process's zone, like the engine's replay).
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => new Date(y, mo - 1, d, h, mi, s).getTime();

describe('eventTimeOf: the time written in the line, for every pre-decoded form', () => {
  const received = local(2024, 6, 15, 12, 0, 0);

  it('syslog takes the year of reception, or the one before across New Year', () => {
    expect(eventTimeOf('Jun 15 11:59:58', received)).toBe(local(2024, 6, 15, 11, 59, 58));
    expect(eventTimeOf('Dec 31 23:59:59', local(2025, 1, 1, 0, 0, 5))).toBe(local(2024, 12, 31, 23, 59, 59));
  });

  it('forms that carry their year keep it, even far from the reception time', () => {
    expect(eventTimeOf('2015-04-16 21:51:02,805', received)).toBe(local(2015, 4, 16, 21, 51, 2));
    expect(eventTimeOf('2015 Dec 29 10:00:01', received)).toBe(local(2015, 12, 29, 10, 0, 1));
    // Apache error log "[Fri Feb 11 18:06:35 2004] [warn] …" and xferlog: day name first, year last.
    expect(eventTimeOf('Fri Feb 11 18:06:35 2004', received)).toBe(local(2004, 2, 11, 18, 6, 35));
    expect(eventTimeOf('Mon Apr 17 18:27:14 2006', received)).toBe(local(2006, 4, 17, 18, 27, 14));
    expect(eventTimeOf('01/28/1979-09:13:16.240702', received)).toBe(local(1979, 1, 28, 9, 13, 16));
  });

  it('snort has no year: the reception year; squid is seconds since the epoch', () => {
    expect(eventTimeOf('01/28-09:13:16.240702', received)).toBe(local(2024, 1, 28, 9, 13, 16));
    expect(eventTimeOf('1140804070.368', received)).toBe(1_140_804_070_000);
  });

  it('no timestamp, or one it cannot read, gives none', () => {
    expect(eventTimeOf(null, received)).toBeNull();
    expect(eventTimeOf('whenever', received)).toBeNull();
  });
});
