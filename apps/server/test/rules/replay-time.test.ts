// `replay` writes each block's times with IsoLocalClock, which remembers the zone offset per hour
// and the date per day; it must write exactly what isoLocal writes, in every kind of zone.
import { afterEach, describe, expect, it } from 'vitest';
import { IsoLocalClock, isoLocal } from '../../src/pipeline/replayer.js';

const prevTz = process.env.TZ;
afterEach(() => {
  if (prevTz === undefined) delete process.env.TZ;
  else process.env.TZ = prevTz;
});

describe('IsoLocalClock', () => {
  // DST at 01:00 UTC, DST of 30 minutes, a :45 offset, a :30 offset south, and Monrovia's
  // -00:44:30 (until 1972: not a whole number of minutes).
  const zones = ['UTC', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Africa/Monrovia'];
  const starts = [Date.UTC(2024, 2, 30, 22) / 1000, Date.UTC(2024, 9, 26, 23) / 1000, Date.UTC(2024, 3, 6, 13) / 1000, Date.UTC(1971, 11, 31, 20) / 1000, Date.UTC(2024, 11, 31, 22) / 1000];

  it('writes what isoLocal writes, second by second across zone changes, days and years', () => {
    for (const zone of zones) {
      process.env.TZ = zone;
      if (zone === 'Asia/Kathmandu') expect(isoLocal(starts[0]!)).toMatch(/\+05:45$/);
      const clock = new IsoLocalClock();
      for (const start of starts)
        for (let s = start; s < start + 4 * 3600; s += 7) {
          expect(clock.format(s), `${zone} ${s}`).toBe(isoLocal(s));
          // a block's release, hours or days later, between two of its times
          expect(clock.format(s + 86_400 + 13), `${zone} ${s + 86_400 + 13}`).toBe(isoLocal(s + 86_400 + 13));
        }
    }
  });

  it('takes times out of order, fractions, and years past 9999 as isoLocal does', () => {
    process.env.TZ = 'Europe/Berlin';
    const clock = new IsoLocalClock();
    for (const s of [1711846800, 1_000_000, 1711846800.75, 1711843200 - 1, 253402300799, 253402300800 + 86_400, -86_400 * 365, 0])
      expect(clock.format(s), String(s)).toBe(isoLocal(s));
  });
});
