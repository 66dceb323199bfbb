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
