// Event time from a line's own timestamp, for replaying files on log time. Pure: the year and
// the zone offset function come from the caller.

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/**
 * Seconds since the epoch for `YYYY-MM-DD[T ]HH:MM:SS` (fraction and zone ignored) or
 * `Mmm dd hh:mm:ss` at the start of the line, read as local wall time in the zone whose offset
 * `offsetMinutes(utcMillis)` gives (0 for UTC). Null when the line starts with neither.
 */
export function syslogTime(line: string, year: number, offsetMinutes: (utcMs: number) => number = () => 0): number | null {
  let y: number, mo: number, d: number, h: number, mi: number, s: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(line);
  if (iso) {
    [y, mo, d, h, mi, s] = [Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6])];
  } else {
    const m = /^([A-Z][a-z]{2}) ([ 0-9]\d) (\d{2}):(\d{2}):(\d{2})/.exec(line);
    if (!m || MONTHS[m[1]!] === undefined) return null;
    [y, mo, d, h, mi, s] = [year, MONTHS[m[1]!]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5])];
  }
  const asUtc = Date.UTC(y, mo, d, h, mi, s);
  return Math.floor((asUtc - offsetMinutes(asUtc) * 60_000) / 1000);
}

/** `n` digits at `i` as a number, or NaN; with `padded` the first may be a space (days). */
function digits(s: string, i: number, n: number, padded = false): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k);
    if (c >= 48 && c <= 57) v = v * 10 + c - 48;
    else if (!padded || c !== 32 || k !== i) return NaN;
  }
  return v;
}

/** `hh:mm:ss` at `i` as seconds into the day, or NaN. */
function clock(s: string, i: number): number {
  if (s[i + 2] !== ':' || s[i + 5] !== ':') return NaN;
  return digits(s, i, 2) * 3600 + digits(s, i + 3, 2) * 60 + digits(s, i + 6, 2);
}

function wall(y: number, mo: number | undefined, d: number, secs: number, offsetMinutes: (utcMs: number) => number): number | null {
  if (mo === undefined || Number.isNaN(mo) || Number.isNaN(y) || Number.isNaN(d) || Number.isNaN(secs)) return null;
  const asUtc = Date.UTC(y, mo, d) + secs * 1000;
  return Math.floor((asUtc - offsetMinutes(asUtc) * 60_000) / 1000);
}

/**
 * Like `syslogTime`, and also every other timestamp the pre-decoder recognises (spec §2), at the
 * start of a line or as the pre-decoded `timestamp` text: `2015 Dec 29 10:00:01`,
 * `2019:11:06-00:08:03`, xferlog `Mon Apr 17 18:27:14 2006`, Apache `[Fri Feb 11 18:06:35 2004]`,
 * snort `01/28-09:13:16.240702` (the given year), suricata `01/28/1979-09:13:16.240702`, OS X ASL
 * `[Time 2006.12.28 15:53:55 UTC]` (UTC when it says so) and squid's epoch `1140804070.368`.
 */
export function logTime(line: string, year: number, offsetMinutes: (utcMs: number) => number = () => 0): number | null {
  const t = syslogTime(line, year, offsetMinutes);
  if (t !== null) return t;
  const is = (i: number, ch: string) => line[i] === ch;
  // 2015 Dec 29 10:00:01
  const y4 = digits(line, 0, 4);
  if (!Number.isNaN(y4) && is(4, ' ') && is(8, ' ') && is(11, ' ')) return wall(y4, MONTHS[line.slice(5, 8)], digits(line, 9, 2, true), clock(line, 12), offsetMinutes);
  // 2019:11:06-00:08:03
  if (!Number.isNaN(y4) && is(4, ':') && is(7, ':') && is(10, '-')) return wall(y4, digits(line, 5, 2) - 1, digits(line, 8, 2), clock(line, 11), offsetMinutes);
  // xferlog / Apache: [Fri Feb 11 18:06:35 2004]
  const a = line.charCodeAt(0) === 91 ? 1 : 0;
  if (is(a + 3, ' ') && is(a + 7, ' ') && is(a + 10, ' ') && is(a + 19, ' '))
    return wall(digits(line, a + 20, 4), MONTHS[line.slice(a + 4, a + 7)], digits(line, a + 8, 2, true), clock(line, a + 11), offsetMinutes);
  // snort 01/28-09:13:16 and suricata 01/28/1979-09:13:16
  if (is(2, '/') && is(5, '-')) return wall(year, digits(line, 0, 2) - 1, digits(line, 3, 2), clock(line, 6), offsetMinutes);
  if (is(2, '/') && is(5, '/') && is(10, '-')) return wall(digits(line, 6, 4), digits(line, 0, 2) - 1, digits(line, 3, 2), clock(line, 11), offsetMinutes);
  // OS X ASL: [Time 2006.12.28 15:53:55 UTC], or its pre-decoded text 2006.12.28 15:53:55 UTC
  const o = line.startsWith('[Time ') ? 6 : 0;
  if (is(o + 4, '.') && is(o + 7, '.') && is(o + 10, ' ')) {
    const utc = line.startsWith(' UTC', o + 19);
    return wall(digits(line, o, 4), digits(line, o + 5, 2) - 1, digits(line, o + 8, 2), clock(line, o + 11), utc ? () => 0 : offsetMinutes);
  }
  // squid: seconds since the epoch
  if (is(10, '.')) {
    const s = digits(line, 0, 10);
    return Number.isNaN(s) ? null : s;
  }
  return null;
}

/**
 * `logTime` for the lines of one file or stream, remembering the last hour it read: a line in that
 * hour (`Mmm dd hh:` or `YYYY-MM-DD[T ]HH:` again, then `mm:ss`) costs a prefix compare and four
 * digits instead of two regexes, `Date.UTC` and a zone lookup. The result is always what
 * `logTime(line, year, offsetMinutes)` gives: an hour is remembered only when the zone offset is
 * the same at its `00:00` and its `99:99` (minutes and seconds are any two digits, as `syslogTime`
 * reads them, and count linearly).
 */
export class LogClock {
  #hour = '';
  #base = 0;

  constructor(
    private readonly year: number,
    private readonly offsetMinutes: (utcMs: number) => number = () => 0,
  ) {}

  /** As `logTime(line, year, offsetMinutes)`. */
  time(line: string): number | null {
    const h = this.#hour;
    if (h !== '' && line.startsWith(h)) {
      // "mm:ss" after the hour, read inline (once per replayed line)
      const i = h.length;
      const m1 = line.charCodeAt(i) - 48;
      const m2 = line.charCodeAt(i + 1) - 48;
      const s1 = line.charCodeAt(i + 3) - 48;
      const s2 = line.charCodeAt(i + 4) - 48;
      // `>>> 0` makes a negative difference large: one compare per digit
      if (line.length >= i + 5 && line.charCodeAt(i + 2) === 58 && m1 >>> 0 <= 9 && m2 >>> 0 <= 9 && s1 >>> 0 <= 9 && s2 >>> 0 <= 9)
        return this.#base + (m1 * 10 + m2) * 60 + s1 * 10 + s2;
    }
    const t = logTime(line, this.year, this.offsetMinutes);
    if (t === null) return t;
    // The hour prefix of the two forms whose value depends on their first 15 or 19 characters only.
    const len = SYSLOG_PREFIX.test(line) ? 10 : ISO_PREFIX.test(line) ? 14 : 0;
    if (len === 0) return t;
    const hour = line.slice(0, len);
    const base = syslogTime(`${hour}00:00`, this.year, this.offsetMinutes);
    if (base !== null && syslogTime(`${hour}99:99`, this.year, this.offsetMinutes) === base + 99 * 60 + 99) {
      this.#hour = hour;
      this.#base = base;
    } else this.#hour = '';
    return t;
  }
}

const SYSLOG_PREFIX = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9]\d \d{2}:\d{2}:\d{2}/;
const ISO_PREFIX = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/;
